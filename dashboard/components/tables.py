"""Read-only tables rendered as one component.

Dash 4's renderer does work per component for every store update, so a table of html.Tr/html.Td
components costs time per cell on each callback: the Legislation tab's municipality view (about
1,450 components, most of them table cells) kept the browser's main thread busy for 5-20 s on
every change of municipality, while the server answered in 25 ms. The same table as escaped HTML
inside one dcc.Markdown renders in well under a second (measured: 1,800 cells as components
8.8 s, 2,700 cells as one component 1.2 s, headless Chromium on this 2-core machine).

Every cell is HTML-escaped here, so data (municipality names, free text) can never inject markup;
only this module writes the table's tags and attributes.
"""

from __future__ import annotations

import html as _html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
from dash import dcc, html

TABLE_CLASS = "table table-sm table-striped table-hover mb-2"


def cell_text(value: Any) -> str:
    """What a cell shows: missing values (None, NaN, pd.NA) are empty, never 'nan' or '<NA>'."""
    if value is None:
        return ""
    kind = type(value)  # the common cells first: pd.isna costs ~2 µs a cell (1,000s per table)
    if kind is str:
        return value
    if kind is int or kind is bool:
        return str(value)
    if kind is float:
        return "" if value != value else str(value)
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):  # lists and arrays are not scalars: show them as text
        pass
    return str(value)


def _esc(value: Any) -> str:
    return _html.escape(cell_text(value), quote=True)


def _attrs(attrs: Mapping[str, str] | None) -> str:
    return "".join(f' {k}="{_html.escape(str(v), quote=True)}"' for k, v in (attrs or {}).items())


def table_html(rows: Iterable[Sequence[Any]], headers: Sequence[str], *,
               caption: str | None = None, row_header: bool = False,
               row_classes: Sequence[str | None] | None = None,
               cell_classes: Sequence[Sequence[str | None]] | None = None,
               table_class: str = TABLE_CLASS) -> str:
    """An HTML table string; every header and cell is escaped. `row_header`: the first cell of
    each row is a row header (<th scope="row">)."""
    out = [f'<table class="{_html.escape(table_class, quote=True)}">']
    if caption:
        out.append(f'<caption class="visually-hidden">{_esc(caption)}</caption>')
    out.append("<thead><tr>" + "".join(f'<th scope="col">{_esc(h)}</th>' for h in headers)
               + "</tr></thead><tbody>")
    for i, row in enumerate(rows):
        rc = row_classes[i] if row_classes is not None else None
        cells = []
        for j, v in enumerate(row):
            cc = cell_classes[i][j] if cell_classes is not None else None
            attrs = _attrs({"class": cc}) if cc else ""
            if row_header and j == 0:
                cells.append(f'<th scope="row"{attrs}>{_esc(v)}</th>')
            else:
                cells.append(f"<td{attrs}>{_esc(v)}</td>")
        out.append(f"<tr{_attrs({'class': rc} if rc else None)}>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def static_table(df: pd.DataFrame, columns: Mapping[str, str], *, caption: str | None = None,
                 row_header: bool = False, row_classes: Sequence[str | None] | None = None,
                 cell_classes: Sequence[Sequence[str | None]] | None = None,
                 table_id: str | None = None, label: str | None = None) -> html.Div:
    """`df`'s `columns` (column -> header) as one read-only table component, scrollable
    sideways on a phone (focusable, so a keyboard can scroll it too)."""
    rows = df[list(columns)].itertuples(index=False, name=None) if len(df) else []
    return rows_table(rows, list(columns.values()), caption=caption, row_header=row_header,
                      row_classes=row_classes, cell_classes=cell_classes, table_id=table_id,
                      label=label)


def rows_table(rows: Iterable[Sequence[Any]], headers: Sequence[str], *,
               caption: str | None = None, row_header: bool = False,
               row_classes: Sequence[str | None] | None = None,
               cell_classes: Sequence[Sequence[str | None]] | None = None,
               table_id: str | None = None, label: str | None = None) -> html.Div:
    """`static_table` of plain rows (cell values in the order of `headers`): a view that has
    its rows as dicts or tuples skips making a frame for them (~2-5 ms per table)."""
    text = table_html(rows, headers, caption=caption, row_header=row_header,
                      row_classes=row_classes, cell_classes=cell_classes)
    props = {"id": table_id} if table_id else {}
    return html.Div(dcc.Markdown(text, dangerously_allow_html=True, className="static-table"),
                    className="table-responsive", tabIndex="0", role="region",
                    **{"aria-label": label or caption or ""}, **props)
