"""The Roadmap page's state, pure (no Dash): what a URL asks for (unknown values replaced by
defaults, with notices saying so), what the controls hold, and the permalink written back."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from dashboard.context import AppContext
from dashboard.store import Snapshot
from dashboard.views.roadmap import data as rd
from pipelines.maturity.roadmap import DEFAULT_TARGET, DEFAULT_WEIGHTS, Weights


@dataclass(frozen=True)
class RoadmapState:
    m: str | None
    wave: str
    weights: tuple[float, ...] = DEFAULT_WEIGHTS.raw()  # readiness, unlock, urgency, peer
    target: int = DEFAULT_TARGET
    done: tuple[str, ...] = ()
    plan: tuple[str, ...] = ()

    def query(self) -> str:
        """'?m=NL_GM0307&wave=2026&w=0.35,0.25,0.25,0.15&target=3&done=A,B&plan=C,D'."""
        params = {}
        if self.m:
            params["m"] = self.m
        params.update(wave=self.wave, w=",".join(f"{v:g}" for v in self.weights),
                      target=self.target)
        if self.done:
            params["done"] = ",".join(self.done)
        if self.plan:
            params["plan"] = ",".join(self.plan)
        return "?" + urlencode(params, safe=",")


def known_elements(ctx: AppContext, text: str | None) -> tuple[tuple[str, ...], list[str]]:
    """Known element ids from 'A,B' (case-insensitive, no repeats), and the unknown ones."""
    known = set(ctx.framework.element_ids)
    parts = [p.strip().upper() for p in (text or "").split(",") if p.strip()]
    return (tuple(dict.fromkeys(p for p in parts if p in known)),
            [p for p in parts if p not in known])


def parse_state(ctx: AppContext, snap: Snapshot, query: dict | None) -> tuple[RoadmapState, list]:
    """The state a URL asks for, unknown values replaced by defaults, and notices (text keys
    with values) that say what was replaced."""
    query = query or {}
    notes = []
    m = (query.get("m") or "").strip() or None
    if m is not None and row_of(snap, m) is None:
        notes.append(("roadmap.notice.unknown", {"id": m}))
        m = None
    wave = query.get("wave")
    if wave and wave not in snap.waves:
        notes.append(("roadmap.notice.wave", {"wave": wave, "latest": snap.waves[-1]}))
    wave = wave if wave in snap.waves else snap.waves[-1]
    try:
        weights = rd.parse_weights(query.get("w"))
    except ValueError:
        notes.append(("roadmap.notice.weights", {"value": query.get("w")}))
        weights = DEFAULT_WEIGHTS
    target = DEFAULT_TARGET
    if query.get("target"):
        if query["target"].strip() in {str(x) for x in rd.TARGETS}:
            target = int(query["target"])
        else:
            notes.append(("roadmap.notice.target", {"value": query["target"]}))
    done, bad_done = known_elements(ctx, query.get("done"))
    plan, bad_plan = known_elements(ctx, query.get("plan"))
    if bad_done or bad_plan:
        notes.append(("roadmap.notice.elements", {"ids": ", ".join(bad_done + bad_plan)}))
    return RoadmapState(m, wave, weights.raw(), target, done, plan), notes


def _raw_weights(values) -> tuple[float, ...]:
    """The four slider values (a missing one takes its default; negatives count as 0)."""
    return tuple(DEFAULT_WEIGHTS.raw()[i] if v is None else max(float(v), 0.0)
                 for i, v in enumerate(values))


def weights_from_controls(values) -> Weights | None:
    """Weights from the four sliders; None when all are 0 (nothing to rank by)."""
    raw = _raw_weights(values)
    return Weights(*raw) if sum(raw) > 0 else None


def state_from_controls(ctx: AppContext, m, wave, weights, target, done, plan) -> RoadmapState:
    return RoadmapState(m or None, wave, _raw_weights(weights),
                        int(target) if target in rd.TARGETS else DEFAULT_TARGET,
                        known_elements(ctx, ",".join(done or ()))[0],
                        known_elements(ctx, ",".join(plan or ()))[0])


def url_search(ctx: AppContext, m, wave, weights, target, done, plan) -> str:
    return state_from_controls(ctx, m, wave, weights, target, done, plan).query()


def row_of(snap: Snapshot, mid: str) -> int | None:
    try:
        return snap.maturity.index_of(mid)
    except KeyError:
        return None
