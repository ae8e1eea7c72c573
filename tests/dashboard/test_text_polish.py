"""What a reader sees, in Dutch and English (defects found in a real-browser walk): no plural
written as "groep(en)" or "law(s)", no backtick, no file name, no developer id (condition,
law or element code) where a label belongs, no untranslated "Download", and counts written
as the language writes them (59.543 / 59,543)."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pandas as pd
import pytest
from dash import dcc, html

from dashboard import laws
from dashboard.components.code_text import CODE_KEYS, with_code
from dashboard.components.numbers import fmt_int
from dashboard.i18n import LANGS, catalog
from dashboard.views.legislation import aggregate_card as legislation_aggregate_card
from dashboard.views.legislation import data as ld
from dashboard.views.legislation import data_draft as legislation_data_draft
from dashboard.views.legislation import data_laws as legislation_data_laws
from dashboard.views.legislation import draft_editor as legislation_draft_editor
from dashboard.views.legislation import ids as legislation_ids
from dashboard.views.legislation import municipality_card as legislation_municipality_card
from dashboard.views.legislation import page as legislation_page
from dashboard.views.legislation import texts as legislation_texts
from dashboard.views.maps import layout as maps_layout
from dashboard.views.overview import layout as overview_layout
from dashboard.views.policy import callbacks as policy_callbacks
from dashboard.views.policy import texts as policy_texts
from dashboard.views.policy.selection import PER as POLICY_PER
from dashboard.views.roadmap import panels as roadmap_panels
from dashboard.views.survey import layout as survey_layout
from dashboard.views.survey import texts as survey_texts
from pipelines.maturity.coverage_note import Coverage

AT = dt.date(2026, 7, 1)
ENSCHEDE = "NL_GM0153"
# "groep(en)", "respondentrol(len)", "gepland(e)", "wet(ten)", "element(s)"
BRACKET_PLURAL = re.compile(r"\w\((?:e|en|len|ten|n|s|es)\)")


def _strings(node) -> list[str]:
    """Every text a component tree shows: children, labels of options and the legend of a
    control; never ids, class names or option values."""
    out: list[str] = []

    def walk(n):
        if isinstance(n, (list, tuple)):
            for x in n:
                walk(x)
        elif isinstance(n, str):
            out.append(n)
        elif hasattr(n, "_prop_names"):
            for prop in ("children", "label", "placeholder", "title"):
                walk(getattr(n, prop, None))
            for o in getattr(n, "options", None) or []:
                if isinstance(o, dict):
                    walk(o.get("label"))
    walk(node)
    return out


@pytest.fixture()
def fixed_today(monkeypatch):
    monkeypatch.setattr(laws, "today", lambda: AT)


# ------------------------------------------------------------------ 1. plurals


@pytest.mark.parametrize("lang", LANGS)
def test_no_catalogue_text_writes_a_plural_in_brackets(lang):
    found = {k: v for k, v in catalog(lang).items() if BRACKET_PLURAL.search(v)}
    assert found == {}


@pytest.mark.parametrize("lang,one,many", [
    ("nl", "rust op 1 respondent (cio)", "rust op 3 respondenten (cio, dpo)"),
    ("en", "rests on 1 respondent (cio)", "rests on 3 respondents (cio, dpo)")])
def test_thin_coverage_says_respondent_or_respondents(lang, one, many):
    assert one in roadmap_panels.coverage_text(Coverage(1, ("cio",), 30, 39, ("no_lead",)), lang)
    assert many in roadmap_panels.coverage_text(Coverage(3, ("cio", "dpo"), 30, 39, ("no_lead",)), lang)


@pytest.mark.parametrize("lang,texts", [
    ("nl", ["1 respondentrol verstuurd.",
            "2 respondentrollen verstuurd; zij verschillen van mening over 1 element.",
            "3 respondentrollen verstuurd; zij verschillen van mening over 4 elementen."]),
    ("en", ["1 respondent role submitted.",
            "2 respondent roles submitted; they disagree on 1 element.",
            "3 respondent roles submitted; they disagree on 4 elements."])])
def test_team_summary_counts_roles_and_elements_in_words(lang, texts):
    assert [survey_texts.team_summary(1, 0, lang), survey_texts.team_summary(2, 1, lang),
            survey_texts.team_summary(3, 4, lang)] == texts


@pytest.mark.parametrize("lang,one,many", [
    ("nl", "1 groep met minder dan 5 antwoordende gemeenten wordt niet getoond.",
     "2 groepen met minder dan 5 antwoordende gemeenten worden niet getoond."),
    ("en", "1 group with fewer than 5 answering municipalities is not shown.",
     "2 groups with fewer than 5 answering municipalities are not shown.")])
def test_policy_heatmap_counts_hidden_groups_in_words(lang, one, many):
    data = SimpleNamespace(min_group=5)

    def caption(hidden):
        h = SimpleNamespace(field="country", columns=[], hidden=hidden)
        return policy_texts.heat_caption(None, data, h, POLICY_PER, None, lang)
    assert caption(1).endswith(one) and caption(2).endswith(many)


def _plan(n: int):
    lacking = [SimpleNamespace(element=f"SEC-0{i + 1}", readiness=0.3, missing=["GOV-01"],
                               add_first=["GOV-01"]) for i in range(n)]
    return SimpleNamespace(rm=object(), plan=SimpleNamespace(
        lacking=lacking, at_target=[], missed_first_phase=[], missed=[]))


@pytest.mark.parametrize("lang,one,many", [
    ("nl", "1 gepland element mist voorwaarden", "2 geplande elementen missen voorwaarden"),
    ("en", "1 planned element lacks enablers", "2 planned elements lack enablers")])
def test_plan_check_counts_lacking_elements_in_words(lang, one, many, tree):
    assert one in tree.text(roadmap_panels.passive_panel(None, _plan(1), lang))
    assert many in tree.text(roadmap_panels.passive_panel(None, _plan(2), lang))


@pytest.mark.parametrize("lang,one,many", [
    ("nl", "Niemand kon 1 element beoordelen", "Niemand kon 2 elementen beoordelen"),
    ("en", "Nobody could rate 1 element ", "Nobody could rate 2 elements ")])
def test_assess_first_counts_elements_in_words(nl_ctx, monkeypatch, tree, lang, one, many):
    monkeypatch.setattr(roadmap_panels, "assess_text", lambda a, lang, names, laws: "x: why")

    def section(n):
        rm = SimpleNamespace(assess=[SimpleNamespace(element=e)
                                     for e in ("SEC-01", "SEC-02")[:n]])
        return tree.text(roadmap_panels.assess_section(nl_ctx, rm, lang))
    assert one in section(1) and many in section(2)


def _law_df(na: list[str]) -> pd.DataFrame:
    laws = ["GDPR", *na]
    return pd.DataFrame({"law": laws, "share_ready": [0.5] + [None] * len(na),
                         "due": [59543] + [0] * len(na), "applies": [59543] + [0] * len(na)})


@pytest.mark.parametrize("lang,one,many", [
    ("nl", "1 wet legt geen van hen een wettelijke plicht op: INSPIRE.",
     "2 wetten leggen geen van hen een wettelijke plicht op: INSPIRE, Dataverordening."),
    ("en", "1 law puts no legal duty on any of them: INSPIRE.",
     "2 laws put no legal duty on any of them: INSPIRE, Data Act.")])
def test_legislation_caption_counts_laws_in_words(nl_ctx, lang, one, many):
    shorts = legislation_data_laws.law_shorts(nl_ctx, lang)
    caption = legislation_texts.aggregate_caption(_law_df(["INSPIRE"]), 59543, AT, None, lang,
                                                  shorts)
    assert caption.endswith(one)
    caption = legislation_texts.aggregate_caption(_law_df(["INSPIRE", "DATA_ACT"]), 59543, AT,
                                                  None, lang, shorts)
    assert caption.endswith(many)


@pytest.mark.parametrize("lang,texts", [
    ("nl", ["klaar voor 1 van de 1 wet die", "Nog 1 is van toepassing maar vraagt nog niets.",
            "1 is niet van toepassing."]),
    ("en", ["ready for 1 of the 1 law that", "1 more applies but asks nothing yet.",
            "1 does not apply to it."])])
def test_municipality_sentence_counts_one_law_in_words(lang, texts):
    sentence = legislation_texts.municipality_summary("X", ["ready", "not_due", "not_applicable"],
                                                      AT, None, lang)
    assert all(x in sentence for x in texts), sentence


def test_policy_lobby_column_head_is_a_plain_plural(nl_open_ctx, tree):
    out = policy_callbacks.update_view(nl_open_ctx, "NL", None, None, POLICY_PER, "nl")
    text = tree.text(out[policy_callbacks.OUTPUT_KEYS.index("lobby")])
    assert "Termijnen" in text and not BRACKET_PLURAL.search(text)


# ------------------------------------------------------------------ 2. backticks


@pytest.mark.parametrize("lang", LANGS)
def test_only_texts_rendered_as_code_carry_backticks(lang):
    """A backtick in a catalogue text marks a command for `with_code`; a text no caller renders
    that way would show the backtick itself."""
    assert {k for k, v in catalog(lang).items() if "`" in v} <= CODE_KEYS


def _code(node, tree) -> list[str]:
    return [c.children for c in tree.walk(node) if isinstance(c, html.Code)]


@pytest.mark.parametrize("lang,command", [("nl", "python -m pipelines ingest BESTAND"),
                                          ("en", "python -m pipelines ingest FILE")])
def test_empty_states_show_commands_as_code_without_backticks(lang, command, tree):
    for view_layout in (overview_layout, maps_layout):
        box = view_layout.empty_state(lang)
        assert "`" not in tree.text(box)
        assert _code(box, tree) == [command, "build"]


@pytest.mark.parametrize("lang", LANGS)
def test_survey_demo_card_shows_the_build_command_as_code(nl_ctx, monkeypatch, tree, lang):
    monkeypatch.setattr(survey_layout, "demo_links", lambda _: {
        "wave": "2026", "links": [], "coordinator_token": "t"})
    card = survey_layout.demo_card(nl_ctx, lang)
    assert "`" not in tree.text(card)
    assert _code(card, tree) == ["python -m pipelines build"]


def test_with_code_never_shows_a_backtick():
    parts = with_code("run `x` then `y` or `z")
    assert [p if isinstance(p, str) else ("code", p.children) for p in parts] == \
        ["run ", ("code", "x"), " then ", ("code", "y"), " or ", ("code", "z")]


# ------------------------------------------------------------------ 3. file names


@pytest.mark.parametrize("lang", LANGS)
def test_no_catalogue_text_names_a_framework_file(lang):
    found = {k: v for k, v in catalog(lang).items()
             if re.search(r"\w\.(?:ya?ml|csv|py|json)\b", v)}
    assert found == {}


@pytest.mark.parametrize("lang,words", [("nl", "per lidstaat vastgelegd in het kader"),
                                        ("en", "as recorded per member state in the framework")])
def test_not_evaluated_member_state_law_is_explained_in_words(lang, words):
    assert words in catalog(lang)["policy.lobby.notevaluated.member_state"]


# ------------------------------------------------------------------ 4. developer ids


def _condition_ids(ctx) -> set[str]:
    return set(ld.inputs(ctx).conditions)


@pytest.mark.parametrize("lang", LANGS)
def test_legislation_controls_show_labels_and_keep_ids_as_values(nl_open_ctx, fixed_today,
                                                                 tree, lang):
    ctx = nl_open_ctx
    layout = legislation_page.layout(ctx, lang, {"view": "municipality", "m": ENSCHEDE})
    checklist = tree.find(layout, id=legislation_ids.CONDITIONS)[0]
    conds = legislation_data_laws.municipality_conditions(ld.inputs(ctx))
    assert [o["value"] for o in checklist.options] == conds  # the values stay the ids
    described = {c.id: c.description.get(lang) for c in ctx.framework.conditions}
    for o in checklist.options:
        assert o["label"] != o["value"] and described[o["value"]].startswith(o["label"])
    competent = next(o["label"] for o in checklist.options
                     if o["value"] == "competent_for_annex_ii_procedure")
    assert ("bijlage II van de SDG-verordening" if lang == "nl" else "SDGR Annex II") in competent
    # the draft-law editor: elements with their names, conditions in words, laws by short name
    # (its requirement rows are made only in the draft view: editor_slots)
    assert not tree.find(layout, id={"type": legislation_ids.REQ_ELEMENT, "index": 0})
    draft = legislation_page.layout(ctx, lang, {"view": "draft"})
    first = {k: tree.find(draft, id={"type": k, "index": 0})[0]
             for k in (legislation_ids.REQ_ELEMENT, legislation_ids.REQ_IF)}
    sec01 = next(o for o in first[legislation_ids.REQ_ELEMENT].options if o["value"] == "SEC-01")
    assert sec01["label"] == f"SEC-01 · {ctx.framework.element_by_id['SEC-01'].name.get(lang)}"
    for o in first[legislation_ids.REQ_IF].options[1:]:
        assert o["label"] == described[o["value"]].rstrip(". ")
    laws = {o["value"]: o["label"] for o in tree.find(layout, id=legislation_ids.LAW)[0].options}
    assert laws["AI_ACT"].startswith(f"{LAW_SHORT[lang]['AI_ACT']} – ")
    assert laws["EINVOICING"].startswith(f"{LAW_SHORT[lang]['EINVOICING']} – ")
    shown = " ".join(_strings(layout) + _strings(draft))
    assert not [c for c in _condition_ids(ctx) if re.search(rf"\b{c}\b", shown)
                and c != "nis2_date"], "a condition id is shown"  # nis2_date: syntax hint


# laws by their short name in the page's language (framework 1.4.1)
LAW_SHORT = {"nl": {"AI_ACT": "AI-verordening", "EINVOICING": "eFacturatie",
                    "DATA_ACT": "Dataverordening"},
             "en": {"AI_ACT": "AI Act", "EINVOICING": "eInvoicing", "DATA_ACT": "Data Act"}}


@pytest.mark.parametrize("lang", LANGS)
def test_legislation_charts_name_laws_and_areas_not_codes(nl_open_ctx, lang):
    ctx = nl_open_ctx
    snap = ctx.warehouse.snapshot()
    a = legislation_aggregate_card.aggregate(ctx, snap, ld.Selection("NL"), AT,
                                             ld.ALL_DEADLINES, lang)
    bars = {y.removesuffix(" ⚠") for tr in a["bar"]["data"] for y in tr["y"]}
    heat = a["heat"]["data"][0]
    times = {y for tr in a["time"]["data"] for y in tr["y"]}
    for labels in (bars, set(heat["y"]), times):
        assert {LAW_SHORT[lang]["AI_ACT"], LAW_SHORT[lang]["EINVOICING"]} <= labels
        assert not labels & {"AI_ACT", "EINVOICING", "DATA_ACT"}, labels
    assert not set(heat["x"]) & set(ctx.municipalities["nuts2"].dropna().astype(str))
    assert "Overijssel" in heat["x"]  # the NUTS 2 regions of the Netherlands by name
    assert "DATA_ACT" not in a["bar_caption"] and LAW_SHORT[lang]["DATA_ACT"] in a["bar_caption"]


@pytest.mark.parametrize("lang", LANGS)
def test_municipality_view_shows_no_condition_or_law_ids(nl_open_ctx, tree, lang):
    ctx = nl_open_ctx
    snap = ctx.warehouse.snapshot()
    content, fig, _, frame = legislation_municipality_card.municipality(
        ctx, snap, ENSCHEDE, None, None, AT, ld.ALL_DEADLINES, lang)
    text = tree.text(content)
    assert not [c for c in _condition_ids(ctx) if re.search(rf"\b{c}\b", text)]
    assert "conditions.yaml" not in text and "AI_ACT" not in text
    assert LAW_SHORT[lang]["AI_ACT"] in text
    yes = "ja" if lang == "nl" else "yes"  # a condition's value in words, in a table cell
    assert any(isinstance(c, html.Td) and tree.text(c).strip() == yes
               for c in tree.walk(content))
    assert "AI_ACT" not in {y for tr in fig["data"] for y in tr["y"]}
    assert "AI_ACT" in set(frame["law"])  # the download keeps the ids: it is data


@pytest.mark.parametrize("lang", LANGS)
def test_draft_tables_name_their_elements(nl_open_ctx, tree, lang):
    ctx = nl_open_ctx
    snap = ctx.warehouse.snapshot()
    n = legislation_ids.SLOTS
    prof = legislation_data_draft.draft_profile(["SEC-01"] + [""] * (n - 1),
                                                ["4"] + ["2"] * (n - 1),
                                                ["2026-01-01"] + [""] * (n - 1), [""] * n,
                                                ["required"] * n, None)
    content, _, _ = legislation_draft_editor.draft(ctx, snap, prof, ld.Selection(), AT,
                                                   ld.ALL_DEADLINES, lang)
    name = ctx.framework.element_by_id["SEC-01"].name.get(lang)
    assert f"SEC-01 · {name}" in tree.text(content)


# ------------------------------------------------------------------ 5. download labels


def test_dutch_legislation_page_has_no_english_download_text(nl_open_ctx, fixed_today, tree):
    layout = legislation_page.layout(nl_open_ctx, "nl", {})
    shown = _strings(layout)
    assert not [s for s in shown if re.search(r"\bDownload(?! als)\b", s)], shown
    assert shown.count("Downloaden") == 3  # the readiness, heatmap and municipality tables
    graphs = [c for c in tree.walk(layout) if isinstance(c, dcc.Graph)]
    assert len(graphs) == 4
    for g in graphs:  # the chart toolbar: plotly's own texts, in Dutch
        assert g.config["locale"] == "nl"
        words = g.config["locales"]["nl"]["dictionary"]
        assert words["Download plot as a PNG"] == "Grafiek downloaden als PNG"
        assert not [w for w in words.values() if "Download" in w]


# ------------------------------------------------------------------ 6. numbers


@pytest.mark.parametrize("lang,number", [("nl", "59.543"), ("en", "59,543")])
def test_legislation_counts_are_written_as_the_language_writes_them(nl_ctx, lang, number):
    assert fmt_int(59543, lang) == number
    caption = legislation_texts.aggregate_caption(_law_df([]), 59543, AT, None, lang,
                                                  legislation_data_laws.law_shorts(nl_ctx, lang))
    assert caption.count(number) == 3 and "59543" not in caption  # n, best and worst due
    why = legislation_texts.population_text(50000, 59543, lang)
    assert number in why and ("50.000" if lang == "nl" else "50,000") in why


@pytest.mark.parametrize("lang,bound,separators", [("nl", "50.000", ",."), ("en", "50,000", ".,")])
def test_legislation_draft_and_charts_use_the_language_separators(nl_open_ctx, tree, lang, bound,
                                                                  separators):
    ctx = nl_open_ctx
    snap = ctx.warehouse.snapshot()
    n = legislation_ids.SLOTS
    prof = legislation_data_draft.draft_profile(["SEC-01"] + [""] * (n - 1),
                                                ["2"] + ["2"] * (n - 1),
                                                ["2026-01-01"] + [""] * (n - 1), [""] * n,
                                                ["required"] * n, "40000")
    content, _, _ = legislation_draft_editor.draft(ctx, snap, prof, ld.Selection(), AT,
                                                   ld.ALL_DEADLINES, lang)
    assert f" {bound} " in tree.text(content)
    a = legislation_aggregate_card.aggregate(ctx, snap, ld.Selection("NL"), AT, ld.ALL_DEADLINES, lang)
    assert a["bar"]["layout"]["separators"] == separators
    assert all("%{customdata:,}" in tr["hovertemplate"] for tr in a["bar"]["data"])
