"""The draft-law editor's requirement rows are made only when the draft view is shown
(`draft_editor.editor_slots`): a page opened on another view leaves them out and keeps the rows
they start from; switching to the draft view makes the same rows (values, labels, options) the
page opened on the draft view has, and the URL and the draft result behave as before."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qsl

import pytest
from dash.exceptions import PreventUpdate
from plotly.utils import PlotlyJSONEncoder

from dashboard import laws
from dashboard.views.legislation import callbacks, draft_editor, ids, page, state

AT = dt.date(2026, 7, 1)
QUERIES = [{}, {"law": "NIS2"}, {"law": "AI_ACT", "at": "2027-01-01"},
           {"draft": "SEC-01:3:2027-06-01::required;DAT-01:2:nis2_date:holds_authentic_source:"
                     "recommended", "draft_id": "MYLAW", "draft_pop": "20000"}]


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(laws, "today", lambda: AT)


def as_json(x) -> str:
    return json.dumps(x, cls=PlotlyJSONEncoder, sort_keys=True)


def slots_of(layout, tree):
    return tree.find(layout, id=ids.DRAFT_SLOTS)[0].children


def start_of(layout, tree):
    return tree.find(layout, id=ids.DRAFT_START)[0].data


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("query", QUERIES)
def test_switching_to_the_draft_view_makes_the_rows_it_opens_with(nl_open_ctx, tree, query, lang):
    other = page.layout(nl_open_ctx, lang, {**query, "view": "aggregate"})
    assert slots_of(other, tree) is None
    assert not tree.find(other, id={"type": ids.REQ_ELEMENT, "index": 0})
    start = start_of(other, tree)
    assert len(start) == ids.SLOTS
    made = draft_editor.editor_slots(nl_open_ctx, "draft", None, start, lang)

    opened = page.layout(nl_open_ctx, lang, {**query, "view": "draft"})
    assert start_of(opened, tree) is None
    assert as_json(made) == as_json(slots_of(opened, tree))
    # the rest of the draft card is the same either way
    assert as_json(tree.find(other, id=ids.LAW)[0]) == as_json(tree.find(opened, id=ids.LAW)[0])
    assert tree.find(other, id=ids.DRAFT_ID)[0].value == tree.find(opened, id=ids.DRAFT_ID)[0].value


def test_the_rows_are_made_once_and_only_for_the_draft_view(nl_open_ctx, tree):
    start = start_of(page.layout(nl_open_ctx, "en", {}), tree)
    for view, shown in (("aggregate", None), ("municipality", None), ("draft", ["rows"])):
        with pytest.raises(PreventUpdate):
            draft_editor.editor_slots(nl_open_ctx, view, shown, start, "en")


def slot_values(rows):
    return ([r["element"] or ids.ANY for r in rows], [str(r["min"]) for r in rows],
            [r["deadline"] or "" for r in rows], [r["applies_if"] or ids.ANY for r in rows],
            [r["status"] for r in rows])


@pytest.mark.parametrize("query", QUERIES)
def test_the_url_names_the_draft_before_its_rows_are_made(nl_open_ctx, tree, query):
    """Switching to the draft view writes the draft into the URL as before, from the rows the
    editor will start from (the rows themselves come a moment later)."""
    start = start_of(page.layout(nl_open_ctx, "en", query), tree)
    sel = ("draft", None, None, None, "2026-07-01", "all", None, None, None, None)
    before = callbacks.url_search(*sel, [], [], [], [], [], "20000", "MYLAW", start)
    after = callbacks.url_search(*sel, *slot_values(start), "20000", "MYLAW", start)
    assert before == after
    assert "draft=" in after
    st = state.parse_state(dict(parse_qsl(after[1:])), nl_open_ctx)
    assert st["draft"]


def test_the_draft_result_waits_for_the_rows(nl_open_ctx):
    with pytest.raises(PreventUpdate):
        callbacks.draft_output(nl_open_ctx, [], [], [], [], [], None, "DRAFT", None, None, None,
                               "2026-07-01", "all", "draft", "en")
