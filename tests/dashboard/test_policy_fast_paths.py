"""Policy: the leverage and lobby tables written as strings row by row (tables.py) against the
same tables built with `tag` cell by cell (as they were; kept here as the definition), byte
for byte, for every selection of the demo build, both languages and visibility rules, and
texts that need escaping."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from dash._utils import to_json

from dashboard.components.numbers import fmt_int, fmt_num
from dashboard.i18n import t
from dashboard.views.policy import data as pdata
from dashboard.views.policy import tables
from dashboard.views.policy.selection import Selection
from dashboard.views.policy.tables import BR, esc, static, table_markup, tag, th
from dashboard.views.policy.texts import pct, short


def old_bar_cell(value: float, top: float, text: str) -> str:
    width = 0.0 if top <= 0 else max(0.0, min(100.0, 100 * value / top))
    return tag("td", esc(text), "pol-bar-cell",
               style=f"background: linear-gradient(90deg, var(--pol-bar) {width:.1f}%, "
                     f"transparent {width:.1f}%)")


def _list(column) -> list:
    return column.tolist() if hasattr(column, "tolist") else list(column)


def old_leverage_table(df, lang: str):
    leverage = _list(df["leverage"])
    top = float(max(leverage)) if leverage else 0.0
    head = [th("#", "text-end"), th(t("policy.lev.col.element", lang)),
            th(t("policy.lev.col.lacking", lang), "text-end"),
            th(t("policy.lev.col.unlock", lang), "text-end"),
            th(t("policy.lev.col.leverage", lang)),
            th(t("policy.lev.col.first", lang), "text-end")]
    unlock = pd.Series(df["mean_unlock"], dtype="Float64").to_numpy(dtype=np.float64,
                                                                     na_value=np.nan)
    cols = zip(_list(df["rank"]), _list(df["element_id"]), _list(df["element"]),
               _list(df["lacking"]), _list(df["share_lacking"]), unlock.tolist(), leverage,
               _list(df["first_phase"]), strict=True)
    body = [tag("tr", tag("td", esc(rank), "text-end text-body-secondary")
                + tag("td", esc(f"{eid} · {name}"))
                + tag("td", esc(f"{fmt_int(lacking, lang)} ({pct(share, lang)})"),
                      "text-end text-nowrap")
                + tag("td", "–" if mu != mu else esc(fmt_num(mu, lang, 2)), "text-end")
                + old_bar_cell(lev, top, fmt_num(lev, lang, 1))
                + tag("td", esc(fmt_int(first, lang)), "text-end"))
            for rank, eid, name, lacking, share, mu, lev, first in cols]
    return static(table_markup(t("policy.lev.table.caption", lang), head, body))


def old_lobby_table(ctx, data, rows, lang: str):
    laws = {law.id: law for law in ctx.framework.laws}
    ids_ = data.roadmaps.element_ids
    at = data.roadmaps.evaluation_date
    head = [th(t("policy.lobby.col.law", lang)),
            th(t("policy.lobby.col.applies", lang), "text-end"),
            th(t("policy.lobby.col.notready", lang)),
            th(t("policy.lobby.col.unknown", lang), "text-end"),
            th(t("policy.lobby.col.deadline", lang)),
            th(t("policy.lobby.col.gap", lang), "pol-gaps")]
    body = []
    for r in rows:
        law = laws.get(r.law)
        gaps = "\n".join(f"{ids_[e]} · "
                         f"{short(ctx.framework.element_by_id[ids_[e]].name.get(lang), 42)}"
                         f" ({pct(s, lang)})" for e, _k, s in r.gaps)
        body.append(tag("tr", "".join((
            tag("td", tag("strong", esc(law.short_name(lang) if law else r.law)) + BR
                + esc(law.name.get(lang) if law else ""), "pol-law"),
            tag("td", esc(fmt_int(r.municipalities, lang)), "text-end"),
            old_bar_cell(r.share_not_ready, 1.0,
                         f"{pct(r.share_not_ready, lang)} ({fmt_int(r.not_ready, lang)})"),
            tag("td", esc(f"{pct(r.share_unknown, lang)} ({fmt_int(r.unknown, lang)})"),
                "text-end text-nowrap"),
            tag("td", tables.deadline_text(r, at, lang), "text-nowrap small"),
            tag("td", esc(gaps), "pol-gaps small")))))
    return static(table_markup(t("policy.lobby.table.caption", lang), head, body))


def _selections(ctx) -> list[Selection]:
    ref = ctx.municipalities
    nuts2 = sorted(set(ref["nuts2"].dropna().astype(str)))
    sizes = [None, *sorted(set(ref["size_class"].dropna().astype(str)))]
    out = [Selection(None, None, s) for s in sizes]
    out += [Selection("NL", r, s) for r, s in itertools.product([None, *nuts2], sizes)]
    return out


@pytest.mark.parametrize("which", ["nl_ctx", "nl_open_ctx"])
def test_tables_are_the_tag_built_tables(which, request):
    ctx = request.getfixturevalue(which)
    snap = ctx.warehouse.snapshot()
    data = pdata.policy_data(ctx, snap)
    sels = _selections(ctx)
    assert len(sels) >= 75
    lev_rows = lobby_rows = 0
    for sel, lang in itertools.product(sels, ("nl", "en")):
        lf = pdata.leverage_columns(ctx, data, sel, lang)
        assert to_json(tables.leverage_table(lf, lang)) == to_json(old_leverage_table(lf, lang))
        frame = pdata.leverage_frame(ctx, data, sel, lang)  # the frame's nullable column
        assert to_json(tables.leverage_table(frame, lang)) == \
            to_json(old_leverage_table(frame, lang))
        rows, _ = pdata.lobby_of(ctx, data, sel)
        assert to_json(tables.lobby_table(ctx, data, rows, lang)) == \
            to_json(old_lobby_table(ctx, data, rows, lang))
        lev_rows += len(lf["rank"])
        lobby_rows += len(rows)
    assert lev_rows > 1000 and lobby_rows > 100  # tables with rows, not empty ones


def test_texts_that_need_escaping_are_escaped_alike(nl_open_ctx, monkeypatch):
    ctx = nl_open_ctx
    snap = ctx.warehouse.snapshot()
    data = pdata.policy_data(ctx, snap)
    nasty = '<b>x</b> & "y" \'z\'\nnext'
    df = {"rank": np.arange(1, 4), "element_id": ["SEC-01", "A&B", "<i>"],
          "element": [nasty, "plain", ""], "lacking": [1, 0, 12345],
          "share_lacking": [0.5, 0.001, 0.999], "mean_unlock": [None, 0.5, float("nan")],
          "leverage": [1.0, 0.0, 2.5], "first_phase": [1, 2, 3]}
    for lang in ("nl", "en"):
        assert to_json(tables.leverage_table(df, lang)) == to_json(old_leverage_table(df, lang))
    # a law and an element whose names need escaping (copies: the framework is frozen)
    from types import SimpleNamespace
    rows, _ = pdata.lobby_of(ctx, data, Selection(None, None, None))
    assert rows
    fw = ctx.framework
    ids_ = data.roadmaps.element_ids
    gap = ids_[rows[0].gaps[0][0]]
    laws = [law.model_copy(update={"name": {"nl": nasty, "en": nasty}})
            if law.id == rows[0].law else law for law in fw.laws]
    elements = {**fw.element_by_id, gap: fw.element_by_id[gap].model_copy(
        update={"name": {"nl": nasty, "en": "a < b"}})}
    fake = SimpleNamespace(framework=SimpleNamespace(laws=laws, element_by_id=elements))
    for lang in ("nl", "en"):
        got = to_json(tables.lobby_table(fake, data, rows, lang))
        assert got == to_json(old_lobby_table(fake, data, rows, lang))
        markup = tables.lobby_table(fake, data, rows, lang).children
        assert "&lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot; &#x27;z&#x27;&#10;next" in markup
        assert "<b>" not in markup and "\n" not in markup
    assert f"{gap} · a &lt; b (" in markup  # en: the gap's element name escaped
