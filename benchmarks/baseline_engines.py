"""The pandas baseline of the two population engines (issue 20): the roadmap's scoring rule and
legal readiness for every municipality, written with pandas from the long level table, the
framework's matrix and the law requirements (benchmarks/baseline.py times them against the
engines and checks they agree).

What the pandas side is given, read or made once ("pandas load"): which requirement applies in
which applicability profile and by when, and each municipality's profile. That table is the
member states' flags and the conditions resolved by the readiness engine (about one profile per
country); re-deriving member_states.yaml in pandas would test a second copy of those rules, not
speed. Everything per municipality is done here.

Roadmap: the scoring rule of pipelines/maturity/roadmap.py (readiness, unlock, urgency, peer
proof, gates, blocked candidates, framework order on ties) and its greedy sequencing (choose,
assume the element raised to its target, score again) for every municipality, re-scored from
the levels at each step where the engine updates its state incrementally. pandas works in
float64, the engine in float32: where two scores lie within rounding of each other the two may
choose differently, and that municipality's later steps then differ too (the check allows it
only there).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

FULL = 3  # the level that earns full enabler credit (the engine's FULL)
TARGET = 3  # the build's target everywhere
URGENCY_BASE, CONSEQUENCE_SHARE, DAYS_PER_YEAR = 0.4, 0.6, 365.25


def wide_levels(levels: pd.DataFrame, wave: str, ids: pd.Index, elements: list[str]
                ) -> pd.DataFrame:
    """Municipality x element levels of one wave, NaN where none is known."""
    lv = levels[(levels["wave"] == wave) & levels["level"].notna()]
    return lv.pivot(index="municipality_id", columns="element_id", values="level").reindex(
        index=ids, columns=elements)


# ------------------------------------------------------------------ roadmap


@dataclass(frozen=True)
class RoadmapInputs:
    """What the roadmap baseline reads besides the levels (made once)."""

    requirements: pd.DataFrame  # profile, element_id, min_level, days, enforcement
    profile: pd.Series  # municipality_id -> profile
    group: pd.Series  # municipality_id -> peer group (country:size class)
    withheld_groups: dict[str, set[str]]  # wave -> peer groups not published
    weights: tuple[float, float, float, float]  # readiness, unlock, urgency, peer (normalised)
    horizon_years: float
    min_group: int


def roadmap_inputs(laws, reference: pd.DataFrame, disclosure_consent: pd.DataFrame,
                   element_ids: list[str], weights, horizon_years: float,
                   min_group: int) -> RoadmapInputs:
    """`laws`: the LawProfiles the build resolves; `disclosure_consent`: wave, area_type,
    area_id, publish under the consent rule (the build withholds peer proof by it)."""
    req = laws.requirements
    rows = []
    for g in range(req.profiles):
        for r in range(len(req)):
            if not np.isnan(req.days[g, r]):
                rows.append({"profile": g, "element_id": element_ids[int(req.element[r])],
                             "min_level": int(req.min_level[r]), "days": float(req.days[g, r]),
                             "enforcement": int(req.enforcement[r])})
    d = disclosure_consent[disclosure_consent["area_type"] == "country_size"]
    withheld = {w: set(part.loc[~part["publish"], "area_id"]) for w, part in d.groupby("wave")}
    return RoadmapInputs(
        requirements=pd.DataFrame(rows, columns=["profile", "element_id", "min_level", "days",
                                                 "enforcement"]),
        profile=pd.Series(laws.index, index=reference.index),
        group=reference["country"] + ":" + reference["size_class"],
        withheld_groups=withheld, weights=tuple(weights), horizon_years=horizon_years,
        min_group=min_group)


def _urgency(inp: RoadmapInputs, wide: pd.DataFrame) -> pd.DataFrame:
    """Per municipality and element the largest urgency of the requirements on it that apply
    in its profile and that its level (unknown read as 0) does not meet."""
    req = inp.requirements
    horizon = DAYS_PER_YEAR * inp.horizon_years
    time = (1.0 - req["days"] / horizon).clip(0.0, 1.0).where(req["days"] > 0, 1.0)
    per_level = req.assign(time=time).merge(pd.DataFrame({"level": range(5)}), how="cross")
    per_level = per_level[per_level["min_level"] > per_level["level"]]
    gap = (per_level["min_level"] - per_level["level"]).clip(upper=3) / 3
    severity = CONSEQUENCE_SHARE * per_level["enforcement"] / 3 + (1 - CONSEQUENCE_SHARE) * gap
    per_level = per_level.assign(u=per_level["time"] * (URGENCY_BASE
                                                       + (1 - URGENCY_BASE) * severity))
    table = per_level.groupby(["profile", "element_id", "level"])["u"].max().rename("urgency")
    current = wide.fillna(0).clip(0, 4).astype(int)
    # the profile goes into the index before stacking: mapping it onto 3.8 M long rows costs
    # more than the rest together
    current.index = pd.MultiIndex.from_arrays(
        [wide.index, inp.profile.reindex(wide.index).to_numpy()],
        names=["municipality_id", "profile"])
    long = current.stack().rename("level").reset_index()
    long.columns = ["municipality_id", "profile", "element_id", "level"]
    long = long.merge(table.reset_index(), on=["profile", "element_id", "level"], how="left")
    return long.pivot(index="municipality_id", columns="element_id", values="urgency").reindex(
        index=wide.index, columns=wide.columns).fillna(0.0)


def _peer(inp: RoadmapInputs, wide: pd.DataFrame, wave: str) -> pd.DataFrame:
    """Share of the other members of the own country x size class at the target or higher
    (0 under `min_group` others with a level, and where the group is withheld)."""
    group = inp.group.reindex(wide.index)
    at_target = (wide >= TARGET).astype(int)
    known = wide.notna().astype(int)
    count = at_target.groupby(group).transform("sum") - at_target
    others = known.groupby(group).transform("sum") - known
    share = (count / others).where(others >= inp.min_group, 0.0).fillna(0.0)
    withheld = group.isin(inp.withheld_groups.get(wave, set()))
    share.loc[withheld] = 0.0
    return share


def _dynamic(w: pd.DataFrame, level: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(readiness, unlock) of every element from the current levels (NaN = unknown)."""
    known = level.notna()
    credit = (level.clip(lower=0, upper=FULL) / FULL).where(known, 0.5)
    enabler_weight = w.sum(axis=0)
    readiness = credit.dot(w) / enabler_weight
    readiness.loc[:, enabler_weight.index[enabler_weight == 0]] = 1.0  # nothing to wait for
    lacking = ((TARGET - level).clip(upper=FULL) / FULL).where(known & (level < TARGET), 0.0)
    lacking = lacking.where(known, 0.5)
    norm = w.sum(axis=1).max() or 1.0
    return readiness, lacking.dot(w.T) / norm


def _unmet_gates(matrix: pd.DataFrame, level: pd.DataFrame) -> pd.DataFrame:
    """Per element how many of its gates are unmet: the enabler unknown or below the gate."""
    unmet = pd.DataFrame(0, index=level.index, columns=level.columns)
    for g in matrix[matrix["gate"] > 0].itertuples(index=False):
        enabler = level[g.enabler]
        unmet[g.enabled] += (enabler.isna() | (enabler < min(TARGET, g.gate))).astype(int)
    return unmet


def roadmap(inp: RoadmapInputs, matrix: pd.DataFrame, wide: pd.DataFrame, wave: str,
            steps: int = 9) -> dict[str, pd.DataFrame]:
    """The sequenced roadmap of every municipality (rows of `wide`): per step the chosen element
    (None when there is no candidate it may develop) with its score, readiness, unlock, urgency
    and peer proof at that moment; the best other score (`runner_up`, to tell a choice from a
    float near-tie); whether it has any known level. Each step raises the chosen element to the
    target and scores again; urgency and peer proof do not depend on other elements."""
    elements = list(wide.columns)
    w = matrix.pivot_table(index="enabler", columns="enabled", values="weight",
                           aggfunc="sum").reindex(index=elements, columns=elements).fillna(0.0)
    urgency = _urgency(inp, wide)
    peer = _peer(inp, wide, wave)
    wr, wu, wg, wp = inp.weights
    static = wg * urgency + wp * peer
    level = wide.copy()
    names = ("first", "score", "readiness", "unlock", "urgency", "peer", "runner_up")
    out = {name: pd.DataFrame(index=wide.index, columns=range(steps), dtype=object if
                              name == "first" else float) for name in names}
    for step in range(steps):
        readiness, unlock = _dynamic(w, level)
        score = (wr * readiness + wu * unlock + static).clip(upper=1.0)
        candidate = level.notna() & (level < TARGET) & (_unmet_gates(matrix, level) == 0)
        eligible = candidate & (readiness > 0)
        pick = eligible.where(eligible.any(axis=1), candidate, axis=0)
        has = pick.any(axis=1)
        if not has.any():
            break
        masked = score.where(pick)
        first = masked.loc[has].idxmax(axis=1).reindex(wide.index)
        chosen = pd.DataFrame(np.equal.outer(first.to_numpy(dtype=object), elements),
                              index=wide.index, columns=elements)
        out["first"][step] = first
        for name, frame in (("score", score), ("readiness", readiness), ("unlock", unlock),
                            ("urgency", urgency), ("peer", peer)):
            out[name][step] = frame.where(chosen).max(axis=1)
        out["runner_up"][step] = masked.mask(chosen).max(axis=1)
        level = level.mask(chosen, TARGET)
    out["answered"] = wide.notna().any(axis=1).to_frame("answered")
    return out


# ------------------------------------------------------------------ readiness


def requirement_table(inputs, profiles) -> pd.DataFrame:
    """Per applicability profile every legal requirement (status "required" of a binding law)
    that applies there: law, element, minimum, deadline ordinal (from the readiness engine's
    resolution of the member states' flags; `profiles` = condition_profiles(...))."""
    from pipelines.maturity.readiness import _Rows

    c = inputs.compiled
    rows = _Rows(c, profiles.table, cutoff=0)
    n = profiles.size
    out = []
    for r in range(len(c.req_law)):
        if not c.req_legal[r]:
            continue
        applies = rows.applies(r)
        if applies is False:
            continue
        mask = np.ones(n, dtype=bool) if applies is None else np.asarray(applies)
        deadline = np.broadcast_to(np.asarray(rows.deadline(r), dtype=np.int64), (n,))
        for p in np.flatnonzero(mask):
            out.append({"profile": int(p), "law": c.law_ids[int(c.req_law[r])],
                        "element_id": inputs.element_ids[int(c.req_elem[r])],
                        "min_level": int(c.req_min[r]), "deadline": int(deadline[p])})
    return pd.DataFrame(out, columns=["profile", "law", "element_id", "min_level", "deadline"])


STATUS = {"not_applicable": 0, "ready": 1, "not_ready": 2, "unknown": 3, "not_due": 4}


def readiness(requirements: pd.DataFrame, profile: pd.Series, long_levels: pd.DataFrame,
              law_ids: list[str], cutoff: int) -> pd.DataFrame:
    """Legal readiness of every municipality for every law: per (municipality, law) status
    code, n_required, n_gap, n_unknown and gap_total, from the requirement table, each
    municipality's profile and its levels (municipality_id, element_id, level; none = unknown).
    The minimum per element is the highest among the requirements due by `cutoff`."""
    applies = requirements[["profile", "law"]].drop_duplicates().assign(applies=True)
    due = requirements[requirements["deadline"] <= cutoff]
    need = due.groupby(["profile", "law", "element_id"], as_index=False)["min_level"].max()
    who = profile.rename("profile").rename_axis("municipality_id").reset_index()
    counted = who.merge(need, on="profile").merge(long_levels, on=["municipality_id",
                                                                   "element_id"], how="left")
    counted["gap"] = counted["level"].notna() & (counted["level"] < counted["min_level"])
    counted["unknown"] = counted["level"].isna()
    counted["gap_size"] = (counted["min_level"] - counted["level"]).where(counted["gap"], 0)
    per_law = counted.groupby(["municipality_id", "law"]).agg(
        n_required=("element_id", "size"), n_gap=("gap", "sum"), n_unknown=("unknown", "sum"),
        gap_total=("gap_size", "sum"))
    grid = pd.MultiIndex.from_product([profile.index, law_ids], names=["municipality_id", "law"])
    out = per_law.reindex(grid, fill_value=0).astype(int).reset_index()
    out["profile"] = np.repeat(profile.to_numpy(), len(law_ids))  # the grid's row order
    out = out.merge(applies, on=["profile", "law"], how="left")
    out["applies"] = out["applies"].fillna(False).astype(bool)
    out["status"] = np.select(
        [~out["applies"], out["n_required"] == 0, out["n_gap"] > 0, out["n_unknown"] > 0],
        [STATUS["not_applicable"], STATUS["not_due"], STATUS["not_ready"], STATUS["unknown"]],
        STATUS["ready"])
    return out
