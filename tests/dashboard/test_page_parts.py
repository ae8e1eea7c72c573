"""The policy and heatmap pages keep their unchanging parts serialised (dashboard/components/
serialised.py) and send the heatmap in JSON form (figures.figure_json): the bytes Dash sends
must be those of the components and graph objects they replace, for many addresses in both
languages, under both visibility rules."""

from __future__ import annotations

import itertools

import pytest
from dash._utils import to_json

from dashboard.components.serialised import Parts, serialised
from dashboard.views.heatmap import figures
from dashboard.views.heatmap import layout as heatmap_layout
from dashboard.views.heatmap.data import compute_view, read_state
from dashboard.views.policy import layout as policy_layout

POLICY = [{}, {"country": "NL"}, {"country": "NL", "size": "20k-50k"},
          {"country": "NL", "nuts2": "NL32", "measure": "leverage"}, {"size": "xl"},
          {"country": "ZZ", "size": "huge", "measure": "nope"}, {"country": "BE"}]
HEATMAP = [{}, {"country": "NL"}, {"country": "NL", "mode": "regions"},
           {"country": "NL", "size": "20k-50k", "sort": "SEC-01"},
           {"country": "NL", "nuts2": "NL31", "wave": "2025"},
           {"country": "NL", "peers_of": "NL_GM0344"}, {"country": "NL", "size": "xl"},
           {"country": "ZZ", "sort": "NOPE-99", "wave": "1999"}, {"country": "BE"}]


class _Unkept:
    """Parts as they were: made on every call, as component objects."""

    def get(self, ctx, key, make):
        return make()


def _old(monkeypatch, module) -> None:
    monkeypatch.setattr(module, "_PARTS", _Unkept())
    if module is heatmap_layout:
        monkeypatch.setattr(module, "figure_json", figures.figure)


@pytest.mark.parametrize("ctx_name", ["nl_ctx", "nl_open_ctx"])
@pytest.mark.parametrize(("module", "queries"), [(policy_layout, POLICY),
                                                 (heatmap_layout, HEATMAP)])
def test_the_page_sends_the_same_bytes(request, monkeypatch, ctx_name, module, queries):
    ctx = request.getfixturevalue(ctx_name)
    cases = list(itertools.product(queries, ("nl", "en")))
    # twice: the first visit makes the kept parts, the second reads them
    new = [to_json(module.layout(ctx, lang, dict(q))) for _ in range(2) for q, lang in cases]
    with monkeypatch.context() as m:
        _old(m, module)
        old = [to_json(module.layout(ctx, lang, dict(q))) for q, lang in cases]
    assert new == old + old


def test_heatmap_figure_json_is_the_graph_objects_json(nl_open_ctx, monkeypatch):
    snap = nl_open_ctx.warehouse.snapshot()
    for labels in (figures.MEDIAN_LABELS, 0):  # with and without medians written in the cells
        monkeypatch.setattr(figures, "MEDIAN_LABELS", labels)
        for q, lang in itertools.product(HEATMAP, ("nl", "en")):
            state = read_state(nl_open_ctx, snap, **{k: q.get(k) for k in (
                "country", "nuts2", "size", "wave", "sort", "mode", "peers_of")})
            view = compute_view(nl_open_ctx, snap, state, lang)
            assert to_json(figures.figure_json(nl_open_ctx, snap, view, lang)) == \
                to_json(figures.figure(nl_open_ctx, snap, view, lang)), q


def test_parts_are_kept_per_context_and_key(nl_ctx, nl_open_ctx):
    parts, made = Parts(), []

    def make(text):
        made.append(text)
        return {"props": {"children": text}}
    for ctx, key in ((nl_ctx, "a"), (nl_ctx, "a"), (nl_open_ctx, "a"), (nl_ctx, "b")):
        assert parts.get(ctx, key, lambda k=key, c=ctx: make(f"{k}{id(c)}")) == \
            {"props": {"children": f"{key}{id(ctx)}"}}
    assert made == [f"a{id(nl_ctx)}", f"a{id(nl_open_ctx)}", f"b{id(nl_ctx)}"]


def test_serialised_is_what_dash_sends():
    from dash import dcc, html
    page = html.Div([html.P("a & b", className="x"), dcc.Store(id="s", data={"k": (1, 2)})],
                    id="d", **{"aria-live": "polite"})
    assert to_json(serialised(page)) == to_json(page)
