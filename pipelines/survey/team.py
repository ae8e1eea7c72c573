"""A municipality's team at a glance, before any build: each respondent's latest answer per
element and the level the build will consolidate to (same rule as pipelines/sql/levels.sql:
lower median of the known levels; a spread of 2 or more is a disagreement)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

DISAGREE_SPREAD = 2
# Columns of the team table that are not roles (waves.RESERVED_ROLES keeps roles off them).
TABLE_COLUMNS = ("element_id", "level", "spread", "disagree")


def lower_median(levels) -> int | None:
    """Lower median of the known levels (None and don't-know left out); None if none known."""
    known = sorted(int(x) for x in levels if x is not None and not pd.isna(x))
    return known[(len(known) - 1) // 2] if known else None


def latest_answers(rows: pd.DataFrame) -> pd.DataFrame:
    """Per respondent and element the newest submitted answer (the build's amendment rule)."""
    if rows.empty:
        return rows
    ordered = rows.sort_values(["submitted_at", "record"], kind="stable")
    return ordered.drop_duplicates(["respondent_id", "element_id"], keep="last")


def team_table(rows: pd.DataFrame, element_ids: list[str]) -> pd.DataFrame:
    """One row per element with any answer: a column per role, consolidated level, spread.

    `rows` are submission rows of one municipality and wave (records.submissions filtered).
    Role columns hold 0-4, 'dk' or '' (not answered by that respondent).
    """
    latest = latest_answers(rows)
    if latest.empty:
        return pd.DataFrame(columns=["element_id", "level", "spread", "disagree"])
    roles = sorted(latest["respondent_role"].unique())
    wide = latest.pivot(index="element_id", columns="respondent_role", values="level")
    wide = wide.reindex([e for e in element_ids if e in wide.index])[roles].fillna("")
    numeric = wide.apply(pd.to_numeric, errors="coerce")
    out = wide.reset_index()
    # Nullable integers: an element where everybody said "don't know" has no level, and a float
    # NaN there reached `int()` in the page (a 500 that blanked the survey for the whole team).
    out["level"] = pd.array([lower_median(r) for r in numeric.to_numpy()], dtype="Int64")
    hi, lo = numeric.max(axis=1).to_numpy(), numeric.min(axis=1).to_numpy()
    spread = np.where(np.isnan(hi), np.nan, hi - lo)
    out["spread"] = pd.array([None if np.isnan(s) else int(s) for s in spread], dtype="Int64")
    out["disagree"] = np.nan_to_num(spread, nan=0) >= DISAGREE_SPREAD
    return out


@dataclass(frozen=True)
class ConsentDecision:
    """The municipality's decision on publication by name, as the build takes it
    (pipelines/sql/coverage.sql): every respondent's latest stated choice in the latest wave
    with one must be yes. One respondent's yes cannot publish a team that also said no;
    disagreement means no until it is resolved, and a later no withdraws an earlier yes."""

    state: str  # "yes", "no", "disagree" (yes and no) or "unset" (nobody answered it)
    choices: dict[str, bool]  # role -> that respondent's latest stated choice

    @property
    def consents(self) -> bool:
        return self.state == "yes"


def consent_decision(rows: pd.DataFrame) -> ConsentDecision:
    """From one municipality's submission rows of one wave (publish_consent "true"/"false"/"")."""
    if rows.empty or "publish_consent" not in rows:
        return ConsentDecision("unset", {})
    stated = rows[rows["publish_consent"].astype(str).isin(("true", "false"))]
    if stated.empty:
        return ConsentDecision("unset", {})
    latest = stated.sort_values(["submitted_at", "record"], kind="stable").drop_duplicates(
        "respondent_id", keep="last")
    choices = {str(r.respondent_role): str(r.publish_consent) == "true"
               for r in latest.itertuples()}
    values = set(choices.values())
    state = "disagree" if len(values) > 1 else ("yes" if values == {True} else "no")
    return ConsentDecision(state, dict(sorted(choices.items())))
