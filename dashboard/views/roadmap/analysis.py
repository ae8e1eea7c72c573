"""One municipality's roadmap and what is derived from it (what-if, passive use, who can help,
team coverage), or why there is none; pure (no Dash) apart from the cached build data in data.py.

Consent: the roadmap is derived from the municipality's own levels, so it is computed only where
`ctx.visible` allows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dashboard.context import AppContext
from dashboard.lru import Lru
from dashboard.store import Snapshot
from dashboard.views.roadmap import data as rd
from dashboard.views.roadmap.state import known_elements, row_of, weights_from_controls
from pipelines.maturity.coverage_note import Coverage
from pipelines.maturity.cube import MISSING
from pipelines.maturity.kickstart import ElementHelp
from pipelines.maturity.roadmap import DEFAULT_TARGET, DEFAULT_WEIGHTS, PlanCheck, Roadmap, check_plan
from pipelines.maturity.whatif import DoneEffect, done_effects


@dataclass
class Subject:
    """One municipality in one wave."""

    snap: Snapshot
    row: int
    mid: str
    name: str
    wave: str
    w: int
    visible: bool
    levels: np.ndarray  # int8[E], framework order
    waves_answered: list[str]

    @property
    def answered(self) -> bool:
        return self.wave in self.waves_answered


def subject(ctx: AppContext, m: str | None, wave: str | None) -> Subject | None:
    snap = ctx.warehouse.snapshot()
    if snap is None or not m:
        return None
    row = row_of(snap, m)
    if row is None:
        return None
    wave = wave if wave in snap.waves else snap.waves[-1]
    w = snap.waves.index(wave)
    cube = snap.maturity
    answered = [wv for i, wv in enumerate(cube.waves) if (cube.levels[i, row] != MISSING).any()]
    return Subject(snap, row, m, rd.reference_names(ctx)[row], wave, w,
                   ctx.visible(snap, row), rd.wave_levels(ctx, snap, w)[row], answered)


@dataclass
class Analysis:
    """Everything the panels show, or why they show nothing (`empty`: a text key)."""

    subject: Subject | None
    params: rd.Params
    empty: str | None = None
    rm: Roadmap | None = None
    base: Roadmap | None = None  # the roadmap without the done marks (what-if)
    effects: tuple[DoneEffect, ...] = ()
    plan: PlanCheck | None = None
    help: list[ElementHelp] | None = None
    coverage: Coverage | None = None


def analyse(ctx: AppContext, m, wave, weights, target, done, plan) -> Analysis:
    """The roadmap and what is derived from it; pure apart from the cached build data."""
    snap = ctx.warehouse.snapshot()
    w = weights_from_controls(weights)
    tg = int(target) if target in rd.TARGETS else DEFAULT_TARGET
    done_ids = known_elements(ctx, ",".join(done or ()))[0]
    plan_ids = known_elements(ctx, ",".join(plan or ()))[0]
    params = rd.Params(w or DEFAULT_WEIGHTS, tg, done=done_ids)
    if snap is None:
        return Analysis(None, params, "nothing")
    sub = subject(ctx, m, wave)
    if sub is None:
        return Analysis(None, params, "pick")
    if not sub.waves_answered:  # public: the API's list says who answered
        return Analysis(sub, params, "never")
    if not sub.visible:
        return Analysis(sub, params, "hidden")
    if not sub.answered:
        return Analysis(sub, params, "noanswer")
    if w is None:
        return Analysis(sub, params, "weights")
    model = rd.model(ctx)
    key = (str(ctx.settings.data_dir), snap.build_id, ctx.framework.checksum,
           ctx.settings.visibility, ctx.settings.min_group, sub.row, sub.w, params)
    rm, base, effects, helpers, cov = _DERIVED.get(key, lambda: _derive(ctx, sub, params))
    check = check_plan(model, sub.levels, plan_ids, result=rm, targets=tg,
                       done=done_ids) if plan_ids else None
    empty = None if rm.steps or rm.assess or rm.gated else "at_target"
    return Analysis(sub, params, empty, rm, base, effects, check, helpers, cov)


# The page's main callback, its "Develop together" card and its downloads ask for the same
# roadmap with the same settings (one change of a control fires the first two): the derived
# values are kept for the last few (read-only; the key holds everything they depend on, the
# viewer only through `visible`, checked before).
_DERIVED = Lru(32)


def _derive(ctx: AppContext, sub: Subject, params: rd.Params) -> tuple:
    snap, tg, done_ids = sub.snap, params.target, params.done
    rm = rd.compute(ctx, snap, sub.row, sub.w, params)
    base = rd.compute(ctx, snap, sub.row, sub.w, rd.Params(params.weights, tg)) if done_ids \
        else rm
    effects = done_effects(rd.model(ctx), sub.levels, done_ids, tg) if done_ids else ()
    helpers = rd.who_can_help(ctx, snap, sub.w, sub.row, rm, tg) or None
    return rm, base, effects, helpers, rd.team_coverage(ctx, snap, sub.w, sub.row)
