"""Legislation page polish (issue 17): the municipality card's layout, law names, draft problems
and numbers in the page's language (Dutch demo build)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import dash_bootstrap_components as dbc
import pytest

from dashboard import laws
from dashboard.views.legislation import (
    aggregate_card,
    data_draft,
    draft_editor,
    figures,
    ids,
    layout,
    municipality_card,
    page,
    texts,
)
from dashboard.views.legislation import data as ld
from pipelines.maturity.readiness import ProfileError, readiness_inputs, validate_profile

ROOT = Path(__file__).resolve().parents[2]
AT = dt.date(2026, 7, 1)
ENSCHEDE = "NL_GM0153"  # consented


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(laws, "today", lambda: AT)


# ------------------------------------------------------------------ 1. the municipality card


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_picker_row_has_no_empty_area_beside_it(nl_open_ctx, tree, lang):
    """The conditions used to sit in a narrow column beside the picker, which left an empty
    area as tall as their list (25 sentences) at 1366-1920 px: the picker and the NIS2 scope now
    share the row, and the conditions take the card's width below, in columns where it is wide."""
    box = tree.find(page.layout(nl_open_ctx, lang, {"view": "municipality", "m": ENSCHEDE}),
                    id=ids.MUN_BOX)[0]
    row = next(r for r in tree.walk(box) if isinstance(r, dbc.Row) and tree.find(r, id=ids.PICKER))
    assert sum(c.md for c in row.children) == 12
    assert tree.find(row, id=ids.NIS2) and not tree.find(row, id=ids.CONDITIONS)
    checklist = tree.find(box, id=ids.CONDITIONS)[0]
    assert municipality_card.CONDITION_COLUMNS in checklist.className.split()
    css = (ROOT / "assets" / "20-legislation.css").read_text(encoding="utf-8")
    rule = re.search(r"\.legislation-conditions\s*\{([^}]*)\}", css)
    assert rule and "column-count" in rule.group(1)


# ------------------------------------------------------------------ 2. law names per language


@pytest.mark.parametrize(("lang", "ai", "einvoicing", "gdpr"), [
    ("nl", "AI-verordening", "eFacturatie", "AVG"), ("en", "AI Act", "eInvoicing", "GDPR")])
def test_every_part_of_the_page_names_laws_in_its_language(nl_open_ctx, tree, lang, ai,
                                                          einvoicing, gdpr):
    ctx, snap = nl_open_ctx, nl_open_ctx.warehouse.snapshot()
    other = {"nl": "eInvoicing", "en": "eFacturatie"}[lang]
    a = aggregate_card.aggregate(ctx, snap, ld.Selection("NL"), AT, ld.ALL_DEADLINES, lang)
    bars = {y.removesuffix(" ⚠") for tr in a["bar"]["data"] for y in tr["y"]}
    heat = set(a["heat"]["data"][0]["y"])
    times = {y for tr in a["time"]["data"] for y in tr["y"]}
    for labels in (bars, heat, times):
        assert {ai, einvoicing, gdpr} <= labels and other not in labels
    assert f"{einvoicing} – " in tree.text(a["table"]) and other not in tree.text(a["table"])
    content, _, _, _ = municipality_card.municipality(ctx, snap, ENSCHEDE, None, None, AT,
                                                        ld.ALL_DEADLINES, lang)
    assert f"{gdpr} – " in tree.text(content) and other not in tree.text(content)
    editor = tree.find(page.layout(ctx, lang, {"view": "draft"}), id=ids.LAW)[0]
    assert {o["value"]: o["label"] for o in editor.options}["EINVOICING"].startswith(
        f"{einvoicing} – ")


# ------------------------------------------------------------------ 3. draft problems


def _problem(ctx, profile) -> ProfileError:
    with pytest.raises(ProfileError) as info:
        validate_profile(profile, laws.inputs(ctx))
    return info.value


def _rows(n=ids.SLOTS, fixed="2027-06-01", **first):
    """The editor's values: a first requirement with `first` changed, a second one with a
    fixed date (a draft without one has no date in force), the rest empty."""
    row = {"element": "SEC-01", "min": "3", "deadline": "2027-01-01", "if": ids.ANY,
           "status": "required", **first}
    return ([row["element"], "GOV-01"] + [""] * (n - 2), [row["min"], "2"] + ["2"] * (n - 2),
            [row["deadline"], fixed] + [""] * (n - 2), [row["if"]] + [ids.ANY] * (n - 1),
            [row["status"]] + ["required"] * (n - 1))


@pytest.mark.parametrize(("lang", "words", "english"), [
    ("nl", "Het ontwerp klopt niet: Id van het ontwerp: gebruik alleen hoofdletters A-Z, "
           "cijfers 0-9 en _", "String should match"),
    ("en", "The draft is not valid: Draft id: use only capitals A-Z, digits 0-9 and _",
     "String should match")])
def test_a_bad_draft_id_is_explained_in_the_page_language(nl_open_ctx, tree, lang, words,
                                                          english):
    prof = data_draft.draft_profile(*_rows(), None, "my draft")
    content, law, _ = draft_editor.draft(nl_open_ctx, nl_open_ctx.warehouse.snapshot(), prof,
                                         ld.Selection(), AT, ld.ALL_DEADLINES, lang)
    assert law is None
    assert tree.text(content) == words
    assert english not in tree.text(content)


@pytest.mark.parametrize(("first", "code", "nl", "en"), [
    ({"deadline": "nis3_date"}, "unknown_deadline_ref",
     "Eis 1: Termijn: ‘nis3_date’ is geen datum (YYYY-MM-DD) en geen datumvoorwaarde",
     "Requirement 1: Deadline: ‘nis3_date’ is neither a date (YYYY-MM-DD) nor a date condition"),
    ({"deadline": "uses_ai"}, "not_a_date_condition",
     "Eis 1: Termijn: ‘uses_ai’ is geen datumvoorwaarde; kies uit ",
     "Requirement 1: Deadline: ‘uses_ai’ is not a date condition; use one of "),
    ({"if": "nis2_date"}, "not_a_condition",
     "Eis 1: Geldt als: ‘nis2_date’ is een datum, geen voorwaarde die waar of onwaar is",
     "Requirement 1: Applies if: ‘nis2_date’ is a date, not a condition that is true or false"),
    ({"element": "XYZ-99"}, "unknown_element",
     "Eis 1: Element: onbekend element ‘XYZ-99’", "Requirement 1: Element: unknown element"),
    ({"min": "7"}, "less_than_equal", "Eis 1: Minimumniveau: mag hoogstens 4 zijn",
     "Requirement 1: Minimum level: must be at most 4"),
    ({"min": "x"}, "int_parsing", "Eis 1: Minimumniveau: ‘x’ is geen geheel getal",
     "Requirement 1: Minimum level: ‘x’ is not a whole number"),
    ({"status": "maybe"}, "literal_error", "Eis 1: Soort: ‘maybe’ is geen van de keuzes",
     "Requirement 1: Kind: ‘maybe’ is not one of the choices"),
    ({"deadline": "", "fixed": ""}, "missing_in_force",
     "Datum van inwerkingtreding: geef ten minste één eis een vaste datum",
     "Date in force: give at least one requirement a fixed date"),
])
def test_every_problem_the_editor_can_make_is_said_in_both_languages(nl_open_ctx, first, code,
                                                                     nl, en):
    """What the editor (or a shared draft link) can get wrong: the field as the editor names it
    and the reason, from the engine's code; the engine itself stays English and pure."""
    err = _problem(nl_open_ctx, data_draft.draft_profile(*_rows(**first), None, "D"))
    assert err.code == code
    assert texts.draft_problem(err, "nl").startswith(nl)
    assert texts.draft_problem(err, "en").startswith(en)
    assert err.problem not in texts.draft_problem(err, "nl")  # not the engine's English


def test_the_engine_keeps_its_english_words_for_the_api(fw):
    """The laws API answers with the engine's own text (unchanged by the codes)."""
    inp = readiness_inputs(fw)
    with pytest.raises(ProfileError) as info:
        validate_profile({"id": "D", "name": "D", "requirements": [
            {"element": "SEC-01", "min": 2, "deadline_ref": "uses_ai"},
            {"element": "GOV-01", "min": 2, "deadline": "2027-01-01"}]}, inp)
    assert str(info.value).startswith("law profile: requirements.0.deadline_ref: 'uses_ai' is "
                                      "not a date condition; use one of ")
    assert info.value.values["value"] == "uses_ai"


def test_an_unreadable_draft_link_is_explained_in_the_page_language(nl_open_ctx, tree):
    nl = page.layout(nl_open_ctx, "nl", {"view": "draft", "draft": "SEC-01:3;x"})
    notice = tree.text(tree.find(nl, id=ids.NOTICES)[0])
    assert "regel 1: 2 velden, verwacht 5" in notice and "fields" not in notice


# ------------------------------------------------------------------ 4. numbers and dates


@pytest.mark.parametrize(("lang", "days", "max_days"), [("nl", "1.825", "3.650"),
                                                        ("en", "1,825", "3,650")])
def test_numbers_in_menus_and_notices_are_written_as_the_language_writes_them(
        nl_open_ctx, tree, lang, days, max_days):
    labels = [o["label"] for o in layout.horizon_options(ld.ALL_DEADLINES, lang)]
    assert any(days in label for label in labels), labels
    assert not any("1825" in label for label in labels)
    bad = page.layout(nl_open_ctx, lang, {"horizon": "99999"})
    notice = tree.text(tree.find(bad, id=ids.NOTICES)[0])
    assert max_days in notice and "3650" not in notice


@pytest.mark.parametrize(("lang", "number"), [("nl", "50.000"), ("en", "50,000")])
def test_a_number_among_condition_values_reads_as_the_language_writes_it(lang, number):
    assert texts.condition_value_text(50000, lang) == number
    assert texts.condition_value_text(dt.date(2027, 1, 1), lang) == "2027-01-01"
    assert texts.condition_value_text(True, lang) in ("ja", "yes")


def test_deadlines_hover_as_the_page_writes_dates():
    """The timeline's hover gives the deadline as YYYY-MM-DD, as the tables and captions do
    (plotly's own hover date would read 'Jul 1, 2026')."""
    fig = figures.timeline([("NIS2", dt.date(2027, 1, 1), False)], AT, {"NIS2": "NIS2"}, "nl")
    assert all("%{x|%Y-%m-%d}" in tr["hovertemplate"] for tr in fig["data"])
    assert fig["layout"]["separators"] == ",."


@pytest.mark.parametrize(("lang", "n"), [("nl", "59.543"), ("en", "59,543")])
def test_captions_write_counts_in_the_language(nl_ctx, lang, n):
    import pandas as pd
    df = pd.DataFrame({"law": ["GDPR"], "share_ready": [0.5], "due": [59543], "applies": [59543]})
    caption = texts.aggregate_caption(df, 59543, AT, None, lang, {"GDPR": "X"})
    assert caption.count(n) == 3
