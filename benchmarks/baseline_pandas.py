"""The pandas baseline of issue 20: what a competent analyst would write with pandas on the
published build's tables, for the queries whose fast path the app runs from its level cube,
caches and DuckDB views (benchmarks/baseline.py times both and checks they agree).

Everything is read into DataFrames once (`Tables.load`: the build's parquet files, the
reference table and the framework's element and matrix tables); each function then answers
one query with ordinary pandas (filter, merge, groupby, quantile, pivot), not numpy in disguise.
The roadmap and readiness baselines are in benchmarks/baseline_engines.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

LEVEL_COLUMNS = ["municipality_id", "wave", "element_id", "level", "n_respondents", "n_known",
                 "spread", "disagree"]
MAX_COLUMNS = 400  # the heatmap shows regions past this many municipalities (the view's rule)


@dataclass(frozen=True)
class Tables:
    """The published build and the framework as DataFrames, read once."""

    levels: pd.DataFrame  # long: municipality, wave, element, level (NaN = don't know) ...
    scores: pd.DataFrame  # long: municipality, wave, scope (ALL or a block), score
    coverage: pd.DataFrame
    disclosure: pd.DataFrame  # wave, area_type, area_id, n, publish (the app's visibility)
    reference: pd.DataFrame  # indexed by municipality_id: name, country, nuts2, nuts3, size...
    elements: pd.DataFrame  # element_id, block in framework order
    matrix: pd.DataFrame  # enabler, enabled, weight, gate
    min_group: int
    build_min_group: int

    @classmethod
    def load(cls, build_dir: Path, reference_file: Path, fw, visibility: str = "consent",
             min_group: int = 5) -> Tables:
        build_dir = Path(build_dir)
        disclosure = pd.read_parquet(build_dir / "disclosure.parquet")
        column = "publish_open" if visibility == "open" else "publish_consent"
        disclosure = disclosure.rename(columns={column: "publish"})[
            ["wave", "area_type", "area_id", "n", "publish"]]
        reference = pd.read_parquet(reference_file).set_index("municipality_id").sort_index()
        manifest = pd.read_json(build_dir / "manifest.json", typ="series")
        return cls(
            levels=_categories(pd.read_parquet(build_dir / "levels.parquet",
                                               columns=LEVEL_COLUMNS),
                               ["municipality_id", "wave", "element_id"]),
            scores=_categories(pd.read_parquet(build_dir / "scores.parquet"),
                               ["municipality_id", "wave", "scope"]),
            coverage=pd.read_parquet(build_dir / "coverage.parquet"),
            disclosure=disclosure,
            reference=reference,
            elements=pd.DataFrame({"element_id": [e.id for e in fw.elements],
                                   "block": [e.block for e in fw.elements]}),
            matrix=pd.DataFrame([{"enabler": m.enabler, "enabled": m.enabled,
                                  "weight": float(m.weight), "gate": int(m.gate or 0)}
                                 for m in fw.matrix]),
            min_group=min_group,
            build_min_group=int(manifest.get("min_group", min_group)),
        )

    @property
    def element_ids(self) -> list[str]:
        return self.elements["element_id"].tolist()

    @property
    def blocks(self) -> list[str]:
        return list(dict.fromkeys(self.elements["block"]))

    def published(self, wave: str, area_type: str, area_id: str) -> bool:
        d = self.disclosure
        hit = d[(d["wave"] == wave) & (d["area_type"] == area_type) & (d["area_id"] == area_id)]
        return bool(len(hit)) and bool(hit["publish"].iloc[0])

    def consent(self) -> pd.Series:
        """Each municipality's consent to publication by name (any wave, as the app reads it)."""
        return self.coverage.groupby("municipality_id")["publish_consent"].any()


def _categories(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Repeated ids as categoricals, as an analyst would load millions of rows: a filter then
    compares small integer codes instead of strings (about 5x faster on the EU build)."""
    return df.astype({c: "category" for c in columns})


# ------------------------------------------------------------------ radar


def group_of(t: Tables, municipality_id: str, kind: str) -> tuple[str, pd.Index]:
    """The peer group's area id and its members (the municipality included, as the app does)."""
    ref = t.reference
    me = ref.loc[municipality_id]
    if kind == "country_size":
        mask = (ref["country"] == me["country"]) & (ref["size_class"] == me["size_class"])
        return f"{me['country']}:{me['size_class']}", ref.index[mask]
    column = {"nuts2": "nuts2", "country": "country"}[kind]
    return str(me[column]), ref.index[ref[column] == me[column]]


def _profile(values: pd.DataFrame, key: str, value: str, own: pd.Series, labels: list[str],
             min_group: int, shown: bool) -> pd.DataFrame:
    """Per label: own, peer quartiles, n, mid-rank percentile, suppressed (the radar's rows)."""
    known = values.dropna(subset=[value])
    grouped = known.groupby(key)[value]
    out = grouped.quantile([0.25, 0.5, 0.75]).unstack().reindex(labels)
    out.columns = ["q1", "median", "q3"]
    out["n"] = grouped.count().reindex(labels).fillna(0).astype(int)
    out["own"] = own.reindex(labels).astype(float)
    with_own = known.merge(out["own"], left_on=key, right_index=True)
    below = (with_own[value] < with_own["own"]).groupby(with_own[key]).sum()
    equal = (with_own[value] == with_own["own"]).groupby(with_own[key]).sum()
    out["percentile"] = 100.0 * (below.reindex(labels).fillna(0)
                                 + 0.5 * equal.reindex(labels).fillna(0)) / out["n"]
    out["suppressed"] = out["n"] < min_group
    out.loc[out["suppressed"], ["q1", "median", "q3", "percentile"]] = np.nan
    out.loc[out["own"].isna(), "percentile"] = np.nan
    if not shown:  # the group's statistics are not published: only the own values stay
        out[["q1", "median", "q3", "percentile"]] = np.nan
        out["n"] = 0
        out["suppressed"] = True
    return out


def radar(t: Tables, municipality_id: str, wave: str, kind: str) -> dict[str, pd.DataFrame]:
    """The profile's element and block radar against the whole peer group, withheld where the
    disclosure pattern does not publish the group."""
    area_id, members = group_of(t, municipality_id, kind)
    shown = t.published(wave, kind, area_id)
    lv = t.levels[(t.levels["wave"] == wave) & t.levels["municipality_id"].isin(members)]
    own = lv[lv["municipality_id"] == municipality_id].set_index("element_id")["level"]
    elements = _profile(lv, "element_id", "level", own, t.element_ids, t.min_group, shown)
    sc = t.scores[(t.scores["wave"] == wave) & (t.scores["scope"] != "ALL")
                  & t.scores["municipality_id"].isin(members)]
    own_blocks = sc[sc["municipality_id"] == municipality_id].set_index("scope")["score"]
    blocks = _profile(sc, "scope", "score", own_blocks, t.blocks, t.min_group, shown)
    return {"elements": elements, "blocks": blocks}


# ------------------------------------------------------------------ heatmap


def heatmap(t: Tables, country: str, nuts2: str | None, wave: str, sort: str) -> dict:
    """The municipality heatmap of a filter: the consenting municipalities with answers as
    columns (highest overall maturity, or level on `sort`, first; ties by name, then id),
    elements grouped by block as rows, -1 where a level is missing."""
    ref = t.reference
    members = ref[(ref["country"] == country)
                  & ((ref["nuts2"] == nuts2) if nuts2 else True)]
    lv = t.levels[(t.levels["wave"] == wave) & t.levels["level"].notna()
                  & t.levels["municipality_id"].isin(members.index)]
    consent = t.consent()
    shown = [m for m in lv["municipality_id"].unique() if consent.get(m, False)]
    if len(shown) > MAX_COLUMNS:
        raise ValueError(f"{len(shown)} municipalities: the view shows regions")
    wide = lv[lv["municipality_id"].isin(shown)].pivot(
        index="municipality_id", columns="element_id", values="level")
    wide = wide.reindex(columns=t.element_ids)
    count = wide.notna().sum(axis=1)
    overall = wide.mean(axis=1).where(count * 2 >= len(t.element_ids))
    key = overall if sort == "overall" else wide[sort]
    frame = pd.DataFrame({"key": key, "name": ref.loc[wide.index, "name"].str.lower(),
                          "id": wide.index}, index=wide.index)
    order = frame.sort_values(["key", "name", "id"], ascending=[False, True, True],
                              na_position="last", kind="mergesort").index
    block_rank = {b: i for i, b in enumerate(t.blocks)}
    rows = t.elements.assign(rank=t.elements["block"].map(block_rank)).sort_values(
        "rank", kind="mergesort")["element_id"].tolist()
    z = wide.loc[order, rows].fillna(-1).astype(np.int8).T
    return {"columns": list(order), "rows": rows, "z": z.to_numpy(),
            "overall": overall.loc[order].to_numpy()}


# ------------------------------------------------------------------ aggregates


AREA_COLUMN = {"country": "country", "nuts2": "nuts2", "nuts3": "nuts3",
               "size_class": "size_class"}


def aggregates(t: Tables, wave: str, area_type: str, measures: list[str],
               country: str | None) -> pd.DataFrame:
    """Statistics of every area of one partition, computed from the levels and scores as the
    build's aggregates mart computes them (count, quartiles, mean, share at 3 or higher), then
    published by the build's disclosure pattern and the app's minimum group, as GET
    /api/v1/aggregates answers."""
    ref = t.reference
    if area_type == "country_size":
        area = ref["country"] + ":" + ref["size_class"]
    else:
        area = ref[AREA_COLUMN[area_type]]
    area = area.rename("area_id")
    if country:
        if area_type == "country":
            area = area[area == country]
        elif area_type == "country_size":
            area = area[area.str.startswith(country + ":")]
        else:
            area = area[area.str.startswith(country)]
    lv = t.levels[(t.levels["wave"] == wave) & t.levels["level"].notna()
                  & t.levels["element_id"].isin(measures)
                  & t.levels["municipality_id"].isin(area.index)]
    sc = t.scores[(t.scores["wave"] == wave) & t.scores["score"].notna()
                  & t.scores["scope"].isin(measures)
                  & t.scores["municipality_id"].isin(area.index)]
    facts = pd.concat([
        lv[["municipality_id", "element_id", "level"]].set_axis(
            ["municipality_id", "measure", "value"], axis=1),
        sc[["municipality_id", "scope", "score"]].set_axis(
            ["municipality_id", "measure", "value"], axis=1)])
    facts = facts.merge(area, left_on="municipality_id", right_index=True)
    facts["ge3"] = (facts["value"] >= 3).astype(float)
    grouped = facts.groupby(["area_id", "measure"])
    stats = grouped["value"].quantile([0.25, 0.5, 0.75]).unstack()
    stats.columns = ["q1", "median", "q3"]
    stats["n"] = grouped["value"].count()
    stats["mean"] = grouped["value"].mean()
    stats["share_ge3"] = grouped["ge3"].mean()
    stats = stats.reset_index()
    d = t.disclosure[(t.disclosure["wave"] == wave) & (t.disclosure["area_type"] == area_type)]
    stats = stats.merge(d[["area_id", "n", "publish"]].rename(columns={"n": "n_answering"}),
                        on="area_id", how="left")
    published = stats["publish"].fillna(False).astype(bool) & (stats["n"] >= t.build_min_group)
    stats["n"] = stats["n"].where(published, stats["n_answering"].fillna(0)).astype(int)
    hide = ~published | (stats["n"] < max(t.min_group, t.build_min_group))
    stats[["median", "q1", "q3", "mean", "share_ge3"]] = stats[
        ["median", "q1", "q3", "mean", "share_ge3"]].where(~hide)
    stats["suppressed"] = hide
    stats["area_type"], stats["wave"] = area_type, wave
    stats["country"] = stats["area_id"].str[:2]
    stats["position"] = stats["measure"].map({m: i for i, m in enumerate(measures)})
    stats = stats.sort_values(["area_id", "position"], kind="mergesort")
    return stats[["area_type", "area_id", "country", "wave", "measure", "n", "suppressed",
                  "median", "q1", "q3", "mean", "share_ge3"]].reset_index(drop=True)


# ------------------------------------------------------------------ one municipality


def _value(x):
    return None if pd.isna(x) else x


def detail(t: Tables, municipality_id: str, wave: str | None) -> dict:
    """One municipality's record as GET /api/v1/municipalities/{id} holds it (levels per
    element with agreement, coverage, block and overall scores), from the long tables."""
    cov = t.coverage[t.coverage["municipality_id"] == municipality_id].sort_values("wave")
    answered = cov["wave"].tolist()
    wave = wave or (answered[-1] if answered else sorted(t.levels["wave"].unique())[-1])
    lv = t.levels[(t.levels["municipality_id"] == municipality_id) & (t.levels["wave"] == wave)]
    rows = t.elements.merge(lv, on="element_id", how="left")
    levels = []
    for r in rows.itertuples(index=False):
        has_row = not pd.isna(r.n_respondents)
        known = not pd.isna(r.level)
        levels.append({
            "element_id": r.element_id, "block": r.block, "wave": wave,
            "level": int(r.level) if known else None,
            "status": "known" if known else ("dont_know" if has_row else "missing"),
            "n_respondents": int(r.n_respondents) if has_row else 0,
            "n_known": int(r.n_known) if has_row else 0,
            "spread": None if not has_row or pd.isna(r.spread) else int(r.spread),
            "disagree": bool(r.disagree) if has_row else None,
        })
    sc = t.scores[(t.scores["municipality_id"] == municipality_id)
                  & (t.scores["wave"] == wave)].set_index("scope")["score"]

    def score(scope):
        x = sc.get(scope)
        return None if x is None or pd.isna(x) else round(float(x), 4)

    this = cov[cov["wave"] == wave]
    coverage = None
    if len(this):
        c = this.iloc[0]
        last = _value(c["last_submitted"])
        coverage = {"n_respondents": int(c["n_respondents"]), "roles": _value(c["roles"]),
                    "n_answered": int(c["n_answered"]), "n_known": int(c["n_known"]),
                    "n_disagree": int(c["n_disagree"]),
                    "last_submitted": None if last is None else pd.Timestamp(last).isoformat()}
    out = {"wave": wave, "waves_answered": answered, "has_answers": wave in answered,
           "coverage": coverage, "levels": levels,
           "scores": {"overall": score("ALL"), "blocks": {b: score(b) for b in t.blocks}}}
    if wave not in answered:
        out["message"] = f"no answers from this municipality in wave {wave}"
    return out
