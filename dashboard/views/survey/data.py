"""What the survey page does, without Dash: open a link, save a draft, submit, show the team.

Every function takes the raw token and re-checks it against the survey store, so a callback
never trusts anything the browser kept; a token opens its own municipality only, and a request
naming another municipality is refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dashboard.context import AppContext
from pipelines.survey import records
from pipelines.survey.sheet import Sheet, parse_sheet
from pipelines.survey.team import ConsentDecision, consent_decision, team_table
from pipelines.survey.waves import Access, SurveyError

Refusal = str  # an i18n key suffix: "missing", "unknown", "expired", "revoked", "other", ...


@dataclass(frozen=True)
class Opened:
    access: Access | None
    refusal: Refusal | None = None
    expired_at: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        return self.refusal is None


def open_survey(ctx: AppContext, token: str | None, requested: str | None = None,
                now: dt.datetime | None = None) -> Opened:
    """A respondent's survey, or why not. `requested` is a municipality id the request named."""
    if not token:
        return Opened(None, "missing")
    access = ctx.survey.open_link(token, now=now)
    if not access.ok:
        return Opened(None, access.status, access.expired_at)
    if access.coordinator:
        return Opened(access, "coordinator")
    if requested and requested != access.invitation.municipality_id:
        return Opened(None, "other")
    return Opened(access)


def element_order(ctx: AppContext) -> list[str]:
    return list(ctx.framework.element_ids)


def load(ctx: AppContext, access: Access) -> records.Draft:
    return records.load_draft(ctx.survey, access, element_order(ctx))


def sheet_from_controls(element_ids: list[str], levels: dict, confidences: dict,
                        evidences: dict, consent) -> dict:
    """The JSON sheet from the form's values (dicts keyed by element id)."""
    answers = {}
    for e in element_ids:
        level, conf, ev = levels.get(e), confidences.get(e), (evidences.get(e) or "").strip()
        if level is None and not conf and not ev:
            continue
        answers[e] = {"level": level, "confidence": conf or None, "evidence": ev}
    consent_value = {"yes": True, "no": False}.get(consent)
    return {"answers": answers, "consent": consent_value}


@dataclass(frozen=True)
class Outcome:
    ok: bool
    key: str  # i18n key of the message
    when: dt.datetime | None = None
    sheet: Sheet | None = None
    detail: str = ""
    record: Path | None = None


def save(ctx: AppContext, token: str | None, data: dict,
         now: dt.datetime | None = None) -> Outcome:
    opened = open_survey(ctx, token, now=now)
    if not opened.ok:
        return Outcome(False, f"survey.refused.{opened.refusal}")
    try:
        sheet = parse_sheet(data, element_order(ctx))
        when = records.save_draft(ctx.survey, opened.access, sheet, now=now)
    except records.ClosedError:
        return Outcome(False, "survey.closed.nosave")
    except ValueError as exc:  # a tampered request: say what was wrong, keep the old draft
        return Outcome(False, "survey.save.invalid", detail=str(exc))
    return Outcome(True, "survey.saved", when=when, sheet=sheet)


def submit(ctx: AppContext, token: str | None, data: dict,
           now: dt.datetime | None = None) -> Outcome:
    opened = open_survey(ctx, token, now=now)
    if not opened.ok:
        return Outcome(False, f"survey.refused.{opened.refusal}")
    try:
        sheet = parse_sheet(data, element_order(ctx))
        path = records.submit(ctx.survey, opened.access, sheet, element_order(ctx), now=now)
    except records.ClosedError:
        return Outcome(False, "survey.closed.nosubmit")
    except SurveyError:
        return Outcome(False, "survey.submit.empty")
    except ValueError as exc:
        return Outcome(False, "survey.save.invalid", detail=str(exc))
    return Outcome(True, "survey.submitted", when=(now or dt.datetime.now(dt.UTC)), sheet=sheet,
                   record=path)


def sheet_of_levels(ctx: AppContext, levels: dict) -> Sheet:
    """A sheet holding only levels (enough to count progress)."""
    return parse_sheet({"answers": {e: {"level": v} for e, v in levels.items() if v is not None}},
                       element_order(ctx))


def answered_counts(ctx: AppContext, sheet: Sheet) -> tuple[int, int, dict[str, tuple[int, int]]]:
    """(answered, total, per block id: (answered, total))."""
    fw = ctx.framework
    per = {}
    for b in fw.blocks:
        ids = [e.id for e in fw.elements_of(b.id)]
        per[b.id] = (sheet.answered(ids), len(ids))
    return sum(a for a, _ in per.values()), sum(n for _, n in per.values()), per


def team(ctx: AppContext, access: Access) -> pd.DataFrame:
    """The municipality's submitted answers per role for this wave, with the consolidated level."""
    rows = records.submissions(ctx.survey, access.wave.wave)
    mine = rows[rows["municipality_id"] == access.invitation.municipality_id]
    return team_table(mine, element_order(ctx))


def consent(ctx: AppContext, access: Access) -> ConsentDecision:
    """What the team decided in this wave about publication by name (the build's rule)."""
    rows = records.submissions(ctx.survey, access.wave.wave)
    return consent_decision(rows[rows["municipality_id"] == access.invitation.municipality_id])


def municipality_name(ctx: AppContext, municipality_id: str) -> str:
    ref = ctx.municipalities
    hit = ref.loc[ref["municipality_id"] == municipality_id, "name"]
    return str(hit.iat[0]) if len(hit) else municipality_id
