"""A survey wave to try on the demo data: `first-run` opens one, so `make run` can show the
in-app survey without a coordinator step. Its links are written to `survey/demo-links.json`
(the only survey file holding plain tokens) and shown on /survey, to anyone, while the published
data are demo data.

Those links are public, so they must not outlive the demo: publishing a build that is not demo
(`retire_demo_wave`, called by pipelines.build) revokes them and the demo coordinator link and
removes the file.

`data_dir` below is the survey's state folder: the data folder unless DS4E_STATE_DIR names
another (pipelines.staging.DataPaths.survey_state).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from pipelines.staging import atomic_write_bytes
from pipelines.survey.tokens import token_hash
from pipelines.survey.waves import SurveyError, SurveyStore

DEMO_LINKS = "demo-links.json"
# Amsterdam as a team of three roles and Utrecht as one link: enough to see disagreement.
DEMO_INVITES = (("NL_GM0363", ("cio", "ciso", "dpo")), ("NL_GM0344", ("team",)))


def demo_links_path(data_dir: Path) -> Path:
    return Path(data_dir) / "survey" / DEMO_LINKS


def open_demo_wave(data_dir: Path, wave: str, *, days: int = 365,
                   now: dt.datetime | None = None) -> list[dict]:
    """Open `wave` for a few Dutch municipalities; return (and store) their links."""
    store = SurveyStore(data_dir)
    now = now or dt.datetime.now(dt.UTC)
    _, coordinator = store.create_wave(wave, closes_at=now + dt.timedelta(days=days),
                                       title=f"Demo {wave}", now=now)
    links = [{"municipality_id": i.municipality_id, "role": i.role, "token": i.token}
             for mid, roles in DEMO_INVITES for i in store.invite(wave, [mid], roles, now=now)]
    payload = {"wave": wave, "coordinator_token": coordinator, "links": links}
    atomic_write_bytes(demo_links_path(data_dir), json.dumps(payload, indent=1).encode())
    return links


def demo_links(data_dir: Path) -> dict | None:
    path = demo_links_path(data_dir)
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def is_demo_record(path: Path, data_dir: Path) -> bool:
    """Whether `path` is a submission made through the demo wave's public links. Such answers
    are demo data: staged as real, one tried-out form would make the next build real, end the
    demo and drop the demo banner from data that are nearly all demo."""
    links = demo_links(data_dir)
    if not links or not links.get("wave"):
        return False
    store = SurveyStore(data_dir)
    try:
        folder = store.records_root / store.wave_dir(links["wave"]).name
    except SurveyError:
        return False
    return Path(path).resolve().is_relative_to(folder.resolve())


def retire_demo_wave(data_dir: Path, *, demo: bool) -> bool:
    """After publishing: unless the build is demo, end the demo wave's public links. Returns
    whether there was a demo wave to retire.

    Only the tokens listed in demo-links.json are revoked, not the whole wave: a link invited
    in that wave by a coordinator was never public and keeps working. The file goes last, so a
    failure half-way leaves it behind and the next publish tries again.
    """
    links = None if demo else demo_links(data_dir)
    if links is None:
        return False
    store = SurveyStore(data_dir)
    wave = links.get("wave", "")
    try:
        store.revoke_tokens(wave, [x["token"] for x in links.get("links", [])])
        coordinator = links.get("coordinator_token")
        if coordinator and store.wave(wave).coordinator_sha256 == token_hash(coordinator):
            store.renew_coordinator(wave)  # nobody gets the new token: the wave has none
    except SurveyError:
        pass  # the wave is gone: its links open nothing any more
    demo_links_path(data_dir).unlink(missing_ok=True)
    return True
