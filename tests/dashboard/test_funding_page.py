"""The Policy tab's funding what-if section: the layout holds two package editors and the
settings, the callbacks (called as functions) give the words, tables and download, and bad
input is named on the page."""

from __future__ import annotations

import dataclasses
from urllib.parse import parse_qsl

import pytest
from dash.exceptions import PreventUpdate

from dashboard import file_links
from dashboard.components.downloads import table_file
from dashboard.views.policy import callbacks, funding_file, ids
from dashboard.views.policy import data_funding as df
from dashboard.views.policy import layout as policy_layout
from dashboard.views.policy import texts_funding as tf
from dashboard.views.policy.selection import Selection
from pipelines.maturity import funding as fe


def values(a=(("SEC-02", "3", 25000), ("SEC-01", "3", 25000)), b=()) -> list:
    given = {}
    for pk, rows in (("a", a), ("b", b)):
        for r, (el, lv, cost) in enumerate(rows):
            given[ids.funding_field(pk, "element", r)] = el
            given[ids.funding_field(pk, "level", r)] = lv
            given[ids.funding_field(pk, "cost", r)] = cost
    return [given.get(f, "" if f.split("-")[-2] == "element" else None) for f in ids.FUNDING_FIELDS]


def run(ctx, vals, rule="leverage", law="NIS2", reach=500, budget=None, lang="en",
        country="NL"):
    return callbacks.run_funding(ctx, 1, country, "all", "all", *vals, rule, law, reach, budget,
                                 lang)


def test_the_section_has_two_editors_and_the_settings(nl_ctx, tree):
    page = policy_layout.layout(nl_ctx, "nl", {"country": "NL"})
    found = {c.id for c in tree.walk(page) if isinstance(getattr(c, "id", None), str)}
    assert set(ids.FUNDING_FIELDS) <= found
    assert {ids.FUNDING_RUN, ids.FUNDING_RESULT, *ids.FUNDING_SETTINGS} <= found
    assert "Wat als we financieren?" in tree.text(page)
    # side by side from lg, stacked below (one column each on a phone)
    # (the page keeps the section serialised: walk gives its nodes with their type as _type)
    editors = [c for c in tree.walk(page) if getattr(c, "_type", type(c).__name__) == "Col"
               and any(getattr(x, "id", None) == ids.funding_field(p, "element", 0)
                       for p in ("a", "b") for x in tree.walk(c.children))
               and getattr(c, "lg", None) == 6]
    assert len(editors) == 2 and all(c.xs == 12 for c in editors)


def test_running_gives_the_words_first_then_a_table_per_package(nl_ctx, tree):
    out = run(nl_ctx, values(b=(("GOV-02", "3", 25000),)))
    texts = [tree.text(x) for x in out]
    a = df.what_if(nl_ctx, df.Request(Selection("NL"), fe.parse_package(
        "SEC-02:3,SEC-01:3", nl_ctx.framework.element_ids), "leverage", reach=500))
    assert texts[0] == tf.sentence(nl_ctx, a, "en")  # the words first
    assert texts[2].startswith("For ")  # the comparison
    tables = [c for c in tree.walk(out) if type(c).__name__ == "Table"]
    assert len(tables) == 3  # package A, package B, A minus B
    li = tf.main_law(a)
    assert f"+{int(a.result.gained[li])}" in tree.text(tables[0])
    assert tree.text(tables[2]).startswith("Package A minus package B")


def test_dutch_numbers_and_words(nl_open_ctx, tree):
    out = run(nl_open_ctx, values(), rule="below", reach=None, lang="nl")
    words = tree.text(out[0])
    assert words.startswith("Financiering van SEC-02 naar niveau 3 en SEC-01 naar niveau 3")
    assert "€ " in words and "." in words.split("€ ")[1][:8]  # 4.900.000: Dutch separators


@pytest.mark.parametrize("change,words", [
    (dict(reach="lots"), "reach"),
    (dict(rule="richest"), "rule"),
    (dict(reach=None, budget=None), "number of municipalities or a budget"),
    (dict(vals=values(a=(("SEC-02", "7", 1),))), "package A, row 1: target level"),
    (dict(vals=values(a=())), "at least one element"),
    (dict(vals=values(a=(("SEC-02", "3", -5),))), "package A, row 1: cost"),
])
def test_bad_input_is_named_on_the_page(nl_ctx, tree, change, words):
    kw = {"vals": values(), **change}
    out = run(nl_ctx, kw.pop("vals"), **kw)
    assert type(out[0]).__name__ == "Alert" and words in tree.text(out)


def test_a_withheld_selection_says_so(nl_ctx, tree):
    attrs = nl_ctx.attributes
    for region in sorted({str(attrs.nuts2_labels[c]) for c in attrs.nuts2[attrs.mask_for(
            "country", "NL")]}):
        out = callbacks.run_funding(nl_ctx, 1, "NL", region, "ge250k", *values(), "below",
                                    "NIS2", None, None, "en")
        a = df.what_if(nl_ctx, df.Request(Selection("NL", region, "ge250k"),
                                          fe.parse_package("SEC-02:3", nl_ctx.framework.element_ids),
                                          "below"))
        if a.status == "suppressed":
            assert "Not shown for privacy" in tree.text(out)
            assert not [c for c in tree.walk(out) if type(c).__name__ == "Table"]
            # its download links are disabled: a link would only lead to a 404
            anchors = [c for c in tree.walk(out) if type(c).__name__ == "A"
                       and str(getattr(c, "id", "")).startswith(ids.FUNDING_CSV)]
            assert anchors and not any(getattr(c, "href", None) for c in anchors)
            return
    pytest.fail("no withheld region x size class found")


def test_no_click_no_work_and_the_download(nl_ctx, tree):
    with pytest.raises(PreventUpdate):
        callbacks.run_funding(nl_ctx, 0, "NL", "all", "all", *values(), "leverage", "NIS2",
                              500, None, "en")
    # the result's download links carry the what-if shown; following one computes it again
    out = run(nl_ctx, values())
    links = {a.id: a.href for a in tree.walk(out) if type(a).__name__ == "A"
             and str(a.id).startswith(ids.FUNDING_CSV)}
    assert set(links) == {ids.FUNDING_CSV, ids.FUNDING_CSV + "-xlsx", ids.FUNDING_CSV + "-parquet"}
    query = dict(parse_qsl(links[ids.FUNDING_CSV].split("?", 1)[1]))
    assert links[ids.FUNDING_CSV].startswith("/download/policy-funding.csv?country=NL")
    frame, name = funding_file.FILE.frame(nl_ctx,
                                          **file_links.parse_args(funding_file.FILE, query))
    assert name.startswith("ds4e-funding-NL-") and name.endswith(".csv")
    data, _, mime = table_file(frame, name, "csv")
    assert data.decode().splitlines()[0].startswith("package,items,law,name,duty")
    assert table_file(frame, name, "xlsx")[1].endswith(".xlsx") and mime == "text/csv"


@pytest.mark.parametrize(("field", "problem", "lang", "expected"), [
    ("package.1.element", "SEC-01 is in the package twice", "nl",
     "SEC-01 staat twee keer in het pakket"),
    ("compare.0.cost", "expected a cost from 0 to 1e9, got -1", "nl",
     "pakket B, regel 1: kosten: een bedrag van 0 tot 1.000.000.000"),
    ("reach", "expected a whole number, got 'x'", "nl",
     "gemeenten (bereik): een geheel getal van 0 of meer"),
    ("reach", "give a reach (municipalities) or a budget, or the rule 'below'", "en",
     "give a number of municipalities or a budget, or fund every municipality below the target"),
    ("rule", "expected one of leverage, below, got 'x'", "nl",
     "rule: expected one of leverage, below, got 'x'"),  # not reachable from the page
])
def test_page_errors_in_the_page_language(field, problem, lang, expected):
    from dashboard.views.policy import data_funding as df
    from dashboard.views.policy.funding import page_problem

    assert page_problem(df.FundingError(field, problem), lang) == expected


@pytest.mark.parametrize("law", ["DATA_ACT", "GDPR", "NIS2", "HVD"])
def test_least_ready_for_a_law_that_asks_nothing_says_how_they_were_taken(nl_open_ctx, law):
    """The rule 'least ready for a law' has nothing to order by where the law asks nothing of
    a municipality yet: such funded municipalities are counted (each one the law asks nothing
    of) and the words say they were taken in list order, not by readiness."""
    ctx = nl_open_ctx
    eids = list(ctx.framework.element_ids)
    req = df.Request(Selection("NL"), fe.make_package([("SEC-01", 3)], eids), "readiness",
                     reach=50, law=law)
    a = df.what_if(ctx, req)
    base = df.funding_base(ctx, ctx.warehouse.snapshot())
    row_of = {m: k for k, m in enumerate(base.ids.tolist())}
    rows = [row_of[m] for m, _ in a.named]  # every funded one (open visibility, < 200)
    li = base.before.law_ids.index(law)
    asks_nothing = sum(int(base.before.status[r, li]) not in (1, 2, 3) for r in rows)
    assert len(rows) == a.result.funded > 0 and a.unordered == asks_nothing
    words = {lang: tf.sentence(ctx, a, lang) for lang in ("en", "nl")}
    name = {lang: tf.law_name(ctx, law, lang) for lang in ("en", "nl")}
    if a.unordered:  # all of them: the words do not call them least ready
        assert f"municipalities in list order ({name['en']} asks nothing of them yet) makes" \
            in words["en"] and "least ready" not in words["en"]
        assert f"in lijstvolgorde ({name['nl']} vraagt nog niets van hen)" in words["nl"]
    else:
        assert f"least ready for {name['en']}" in words["en"]
        assert "list order" not in words["en"] and "lijstvolgorde" not in words["nl"]
    some = dataclasses.replace(a, unordered=3)  # a selection where the law asks some of them
    assert f"least ready for {name['en']}" in tf.sentence(ctx, some, "en")
    assert f"{name['en']} asks nothing yet of 3 of the funded municipalities" \
        in tf.sentence(ctx, some, "en")
