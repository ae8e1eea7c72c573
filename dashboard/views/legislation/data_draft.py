"""The draft-law editor's data (pure: no Dash): editor rows <-> a law profile <-> a URL value,
and the what-if readiness of a draft over a selection, with what may be shown of it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.context import AppContext
from dashboard.laws import inputs
from dashboard.views.legislation.data import (
    Selection,
    base,
    public_counts,
    published,
    region_published,
    snap_threshold,
    subset,
    threshold_published,
)
from dashboard.views.legislation.ids import ANY, SLOTS
from pipelines.framework import Law
from pipelines.maturity.readiness import (
    N_STATUS,
    ProfileError,
    law_to_yaml,
    validate_profile,
    what_if,
)

EMPTY_ROW = {"element": "", "min": 2, "deadline": "", "applies_if": "", "status": "required"}
ROW_FIELDS = ("element", "min", "deadline", "applies_if", "status")


def law_rows(law) -> list[dict]:
    """A law's requirements as editor rows."""
    return [{"element": r.element, "min": r.min,
             "deadline": r.deadline.isoformat() if r.deadline else r.deadline_ref,
             "applies_if": r.applies_if or "", "status": r.status} for r in law.requirements]


def editor_rows(rows: list[dict]) -> list[dict]:
    """`rows` cut or filled with empty rows to the editor's SLOTS."""
    return rows[:SLOTS] + [EMPTY_ROW] * (SLOTS - len(rows[:SLOTS]))


def draft_text(elements, mins, deadlines, conditions, statuses) -> str | None:
    """The editor's filled rows as one URL value: rows joined by ';', fields by ':'
    (element:min:deadline:condition:kind), e.g. 'SEC-01:3:2027-01-01::required'."""
    rows = []
    for e, m, d, c, s in zip(elements, mins, deadlines, conditions, statuses, strict=False):
        if not e or e == ANY:
            continue
        fields = [e, m, d, c, s]
        rows.append(":".join("" if f in (None, ANY) else str(f).strip() for f in fields))
    return ";".join(rows) or None


def parse_draft_text(text: str | None) -> tuple[list[dict], list[dict]]:
    """Rows from `draft_text`, and what could not be read: one problem per bad row, as
    {"row": its number, "n": its fields, "expected": the fields a row has}."""
    rows, problems = [], []
    for i, chunk in enumerate((text or "").split(";"), start=1):
        if not chunk.strip():
            continue
        parts = chunk.split(":")
        if len(parts) != len(ROW_FIELDS):
            problems.append({"row": i, "n": len(parts), "expected": len(ROW_FIELDS)})
            continue
        row = dict(zip(ROW_FIELDS, (p.strip() for p in parts), strict=True))
        row["status"] = row["status"] or "required"
        rows.append(row)
    return rows[:SLOTS], problems


def draft_profile(elements, mins, deadlines, conditions, statuses, pop, law_id="DRAFT") -> dict:
    """The composed profile (law-file shape) from the editor's rows; empty rows are left out."""
    reqs = []
    for e, m, d, c, s in zip(elements, mins, deadlines, conditions, statuses, strict=False):
        if not e or e == ANY:
            continue
        r = {"element": e, "min": int(m) if str(m).isdigit() else m}
        d = (d or "").strip()
        try:
            dt.date.fromisoformat(d)
            r["deadline"] = d
        except ValueError:
            r["deadline_ref" if d else "deadline"] = d or None
        if c and c != ANY:
            r["applies_if"] = c
        if s and s != "required":
            r["status"] = s
        reqs.append(r)
    out = {"id": law_id or "DRAFT", "name": law_id or "DRAFT", "requirements": reqs}
    if pop not in (None, ""):
        out["population_above"] = int(pop) if str(pop).isdigit() else pop
    return out


def draft_yaml(ctx: AppContext, profile: dict) -> str | None:
    """The profile as a law file (YAML); None when it is not valid."""
    try:
        return law_to_yaml(validate_profile(profile, inputs(ctx)))
    except ProfileError:
        return None


@dataclass(frozen=True)
class DraftReadiness:
    """What the draft view shows of a composed profile over a selection (`draft_readiness`):
    nothing to compute (`empty`), why it is not valid (`error`), or the counts of the `n`
    answering municipalities as they may be shown (None: fewer than min_group answered), per
    region and the elements they lack."""

    empty: bool = False
    error: ProfileError | None = None
    law: Law | None = None
    bound: int | None = None  # the size-class bound a population threshold snapped to
    n: int = 0
    counts: dict | None = None  # data.public_counts of the whole selection
    regions: pd.DataFrame | None = None  # region, municipalities, applies, ready, share_ready
    lack: pd.DataFrame | None = None  # element, gap, unknown


def draft_readiness(ctx: AppContext, snap, profile: dict, sel: Selection, at: dt.date,
                    horizon) -> DraftReadiness:
    """A draft law is about its own deadlines: with the default horizon every requirement counts
    against its own deadline. A population threshold applies at the nearest size-class bound
    (data.snap_threshold), so that a draft cannot single out a municipality."""
    inp = inputs(ctx)
    if not profile.get("requirements"):
        return DraftReadiness(empty=True)
    bound = None
    if profile.get("population_above") not in (None, ""):
        try:
            bound = snap_threshold(profile["population_above"])
        except (TypeError, ValueError):
            bound = None  # validate_profile names the bad value
        else:
            profile = {**profile, "population_above": bound - 1}
    try:
        law = validate_profile(profile, inp)
    except ProfileError as e:
        return DraftReadiness(error=e, bound=bound)
    sub = subset(ctx, snap, sel)
    n = len(sub.rows)
    min_group = ctx.settings.min_group
    if n < min_group:
        return DraftReadiness(law=law, bound=bound, n=n)
    wi = what_if(inp, law, sub.levels, sub.table, at=at, horizon_days=horizon)
    shown = published(ctx, snap, sel) and threshold_published(ctx, snap, sel, bound)
    c = public_counts(np.bincount(wi.result.status[:, 0], minlength=N_STATUS), min_group, shown)
    b = base(ctx, snap)
    field = b.countries if sel.group_field == "country" else b.nuts2
    codes, inv = np.unique(field[sub.rows], return_inverse=True)
    g = wi.result.by_group(law.id, inv, len(codes))
    cells = [public_counts(row, min_group,
                           region_published(ctx, snap, sel, str(code))
                           and threshold_published(ctx, snap, sel, bound, str(code)))
             for row, code in zip(g, codes, strict=True)]
    regions = pd.DataFrame({
        "region": codes.astype(str), "municipalities": g.sum(axis=1),
        "applies": pd.array([x["applies"] for x in cells], dtype="Int64"),
        "ready": pd.array([x["ready"] for x in cells], dtype="Int64"),
        "share_ready": pd.array([x["share_ready"] for x in cells], dtype="Float64")})
    lack = pd.DataFrame(wi.lacking(), columns=["element", "gap", "unknown"])
    return DraftReadiness(law=law, bound=bound, n=n, counts=c, regions=regions, lack=lack)


def editor_start(ctx: AppContext, st: dict) -> tuple[list[dict], str, object, list[dict]]:
    """(rows, draft id, population threshold, problems) the editor opens with for a URL state
    (state.parse_state): the draft of the URL, the law it starts from, or a new draft with one
    requirement a year from the evaluation date; `problems` are the URL draft's unreadable rows."""
    inp = inputs(ctx)
    base_law, problems = st["law"], []
    if st["draft"]:
        rows, problems = parse_draft_text(st["draft"])
    elif base_law:
        rows = law_rows(inp.law(base_law))
    else:
        rows = [{**EMPTY_ROW, "element": ctx.framework.element_ids[0],
                 "deadline": (st["at"] + dt.timedelta(days=365)).isoformat()}]
    draft_id = st["draft_id"] or base_law or "DRAFT"
    draft_pop = st["draft_pop"] if st["draft"] else (
        inp.law(base_law).population_above if base_law else None)
    return editor_rows(rows), draft_id, draft_pop, problems


def law_slots(ctx: AppContext, law_id) -> tuple | None:
    """The editor's values (elements, minimums, deadlines, conditions, kinds, population, id)
    when it starts from law `law_id`; None for an unknown law."""
    inp = inputs(ctx)
    if law_id not in inp.law_ids:
        return None
    law = inp.law(law_id)
    rows = editor_rows(law_rows(law))
    return ([r["element"] or ANY for r in rows], [str(r["min"]) for r in rows],
            [r["deadline"] or "" for r in rows], [r["applies_if"] or ANY for r in rows],
            [r["status"] for r in rows], law.population_above, law.id)
