"""A survey wave to try on the demo data: `first-run` opens one, so `make run` can show the
in-app survey without a coordinator step. Its links are written to `survey/demo-links.json`
(the only survey file holding plain tokens) and shown on /survey while the published data are
demo data; a real deployment never has this file.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from pipelines.staging import atomic_write_bytes
from pipelines.survey.waves import SurveyStore

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
