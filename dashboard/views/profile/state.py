"""The profile's state in the URL (permalink): every control starts from the URL and is written
back to it, so a link always opens the same view (pure: no Dash)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from dashboard.context import AppContext
from dashboard.store import Snapshot
from dashboard.views.profile.data import row_of
from pipelines.maturity.peers import DEFAULT_PEERS, PEER_KINDS

VIEWS = ("blocks", "elements")
DEFAULT_VIEW = "blocks"


@dataclass(frozen=True)
class ProfileState:
    m: str | None
    wave: str
    view: str = DEFAULT_VIEW
    peers: str = DEFAULT_PEERS
    custom: tuple[str, ...] = ()

    def query(self) -> str:
        """'?m=NL_GM0344&wave=2026&view=blocks&peers=country_size' (+ '&custom=ID,ID')."""
        params = {}
        if self.m:
            params["m"] = self.m
        params.update(wave=self.wave, view=self.view, peers=self.peers)
        if self.custom:
            params["custom"] = ",".join(self.custom)
        return "?" + urlencode(params, safe=",")


def parse_state(ctx: AppContext, snap: Snapshot, query: dict | None) -> tuple[ProfileState, list]:
    """The state a URL asks for, with unknown values replaced by defaults, and the notices
    (as text keys with values) that explain what was replaced."""
    query = query or {}
    cube = snap.maturity
    notes = []
    m = (query.get("m") or "").strip() or None
    if m is not None and row_of(cube, m) is None:
        notes.append(("profile.notice.unknown", {"id": m}))
        m = None
    wave = query.get("wave")
    if wave and wave not in snap.waves:
        notes.append(("profile.notice.wave", {"wave": wave, "waves": ", ".join(snap.waves),
                                              "latest": snap.waves[-1]}))
    wave = wave if wave in snap.waves else snap.waves[-1]
    view = query.get("view") if query.get("view") in VIEWS else DEFAULT_VIEW
    peers = query.get("peers") if query.get("peers") in PEER_KINDS else DEFAULT_PEERS
    custom = tuple(dict.fromkeys(c.strip() for c in (query.get("custom") or "").split(",")
                                 if row_of(cube, c.strip()) is not None))
    return ProfileState(m, wave, view, peers, custom), notes


def state_from_controls(m, wave, view, peers, custom) -> ProfileState:
    return ProfileState(m or None, wave, view if view in VIEWS else DEFAULT_VIEW,
                        peers if peers in PEER_KINDS else DEFAULT_PEERS, tuple(custom or ()))
