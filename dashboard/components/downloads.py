"""Every table the dashboard hands out, as CSV, XLSX or Parquet, and the control that offers them.

The same rows in each format, written by the API's writers (dashboard/api_formats.py) so a page
and the API agree; only the CSV keeps the dashboard's own writer (below), which is what page
downloads always wrote. Formula injection: CSV cells are neutralised for spreadsheets
(pipelines/csv_safe.py: a text cell starting with =, +, -, @, tab or CR gets a leading quote), so
a municipality name or an evidence note cannot run as a formula in whoever opens the file; XLSX
stores text as text, never as a formula, so it needs no quote; Parquet opens in no spreadsheet.
File names: see dashboard/filenames.py.

The control (`download_control`) is a labelled group of three buttons, CSV · XLSX · Parquet: one
click downloads, every format is visible and each is a plain button reachable by Tab (a menu
would hide the formats behind one more step). The CSV button keeps the id the page's single CSV
button had, so links, tests and benchmarks that click it keep working; the others add the format
to that id. A callback takes `download_inputs(...)` and reads the format of the clicked button
with `chosen_format` (one control) or `clicked` (several controls feeding one dcc.Download).
Those callbacks send the file base64 inside their JSON answer: fine for the small tables
(profile, survey progress, one municipality's laws). A big table is offered by `link_control`
instead: the same control as links to the download route (dashboard/file_links.py), which a
cheap callback points at the page's selection (`href_outputs`).
"""

from __future__ import annotations

import re

import pandas as pd
import pyarrow as pa
from dash import Input, Output, dcc, html

from dashboard.api_formats import MIMETYPES, parquet_bytes, xlsx_bytes
from dashboard.filenames import safe_filename
from dashboard.i18n import t
from pipelines.csv_safe import csv_bytes

FORMATS = ("csv", "xlsx", "parquet")
FORMAT_NAMES = {"csv": "CSV", "xlsx": "XLSX", "parquet": "Parquet"}  # the same in every language
_KNOWN_EXT = re.compile(r"\.(csv|xlsx|parquet)$", re.IGNORECASE)


# ------------------------------------------------------------------ files


def csv_text(df: pd.DataFrame) -> str:
    """The CSV of a frame as people download it (UTF-8, neutralised cells, no index)."""
    return csv_bytes(df, index=False).decode("utf-8")


def download_name(filename: str, fmt: str) -> str:
    """`filename` made safe, with the extension of `fmt` in place of a table extension it had."""
    stem = _KNOWN_EXT.sub("", str(filename))
    return safe_filename(f"{stem}.{fmt}", f"ds4e.{fmt}")


def _storable(df: pd.DataFrame) -> pd.DataFrame:
    """`df` with every column Arrow can store in a flat sheet. A column of mixed Python values
    (numbers beside text, a list per cell) has no Arrow type, or a nested one the XLSX writer
    cannot put in a cell: such a column becomes text, each cell as the CSV writes it."""
    out = df
    for i in range(df.shape[1]):
        col = df.iloc[:, i]
        if not pd.api.types.is_object_dtype(col):
            continue
        try:
            flat = not pa.types.is_nested(pa.array(col, from_pandas=True).type)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            flat = False
        if not flat:
            if out is df:
                out = df.copy()
            out.isetitem(i, col.map(str, na_action="ignore"))
    return out


def table_file(df: pd.DataFrame, filename: str, fmt: str | None = "csv") -> tuple[bytes, str, str]:
    """(bytes, file name, MIME type) of `df` as `fmt` ("csv", "xlsx" or "parquet"; anything
    else, which only a crafted request sends, is CSV). The file name gets the format's
    extension. The page links (dashboard/file_links.py) and the dcc.Download files both use it."""
    fmt = fmt if fmt in FORMATS else "csv"
    name = download_name(filename, fmt)
    if fmt == "csv":
        return csv_bytes(df, index=False), name, MIMETYPES["csv"]
    writer = xlsx_bytes if fmt == "xlsx" else parquet_bytes
    return writer(_storable(df)), name, MIMETYPES[fmt]


def table_download(df: pd.DataFrame, filename: str, fmt: str | None = "csv") -> dict:
    """What a dcc.Download gets for `df` as `fmt` (see `table_file`)."""
    data, name, mime = table_file(df, filename, fmt)
    if mime == MIMETYPES["csv"]:
        return dcc.send_string(data.decode("utf-8"), name, type=mime)
    return dcc.send_bytes(data, name, type=mime)


def csv_download(df: pd.DataFrame, filename: str) -> dict:
    """What a dcc.Download gets for a frame as CSV."""
    return table_download(df, filename, "csv")


# ------------------------------------------------------------------ the control


def format_id(csv_id: str, fmt: str) -> str:
    """The id of the `fmt` button of the control whose CSV button is `csv_id`."""
    return csv_id if fmt == "csv" else f"{csv_id}-{fmt}"


def group_id(csv_id: str) -> str:
    """The id of the whole control: disable or hide it there, not per button."""
    return f"{csv_id}-group"


def _control(csv_id: str, lang: str, make, *, label: str | None, what: str | None,
             color: str, outline: bool, className: str, **fieldset) -> html.Fieldset:
    """The labelled CSV · XLSX · Parquet group both controls share; `make(fmt, style, title)`
    makes one format's button or link."""
    legend = [label or t("download.label", lang)]
    if what:
        legend.append(html.Span(f" ({what})", className="visually-hidden"))
    style = f"btn btn-{'outline-' if outline else ''}{color}"
    return html.Fieldset([
        html.Legend(legend),
        html.Div([make(fmt, style, t(f"download.{fmt}.title", lang)) for fmt in FORMATS],
                 className="btn-group btn-group-sm"),
    ], id=group_id(csv_id), className=f"dl-control {className}".strip(), **fieldset)


def download_control(csv_id: str, lang: str, *, label: str | None = None, what: str | None = None,
                     disabled: bool = False, color: str = "secondary", outline: bool = True,
                     className: str = "") -> html.Fieldset:
    """A labelled CSV · XLSX · Parquet button group. `label` replaces the visible "Download";
    `what` names the table for screen readers where several controls share a page (the card
    title shows it to the eye). A fieldset, so `disabled` switches all three buttons at once."""
    def button(fmt, style, title):
        return html.Button(FORMAT_NAMES[fmt], id=format_id(csv_id, fmt), type="button",
                           n_clicks=0, className=style, title=title)
    return _control(csv_id, lang, button, label=label, what=what, color=color, outline=outline,
                    className=className, disabled=disabled)


def link_control(csv_id: str, lang: str, *, hrefs: tuple[str | None, ...] | None = None,
                 label: str | None = None, what: str | None = None, color: str = "secondary",
                 outline: bool = True, className: str = "") -> html.Fieldset:
    """The control of `download_control` as three links to the download route
    (dashboard/file_links.py) instead of callback buttons: the same ids, labels, titles and
    look, each a plain `<a href download>` (reachable by Tab, "save link as" works). The page
    sets the `href`s (`href_outputs`); a link without one (nothing to download) is shown
    disabled and is not focusable."""
    links = dict(zip(FORMATS, hrefs or (None,) * len(FORMATS), strict=True))

    def anchor(fmt, style, title):
        return link(format_id(csv_id, fmt), FORMAT_NAMES[fmt], links[fmt], style, title)
    return _control(csv_id, lang, anchor, label=label, what=what, color=color, outline=outline,
                    className=className)


def link(ident: str, text: str, href: str | None, style: str, title: str) -> html.A:
    # without an href an <a> is no link: not focusable, announced as plain text, and shown
    # disabled (assets/10-ds4e.css)
    return html.A(text, id=ident, href=href, download="", className=style, title=title)


def href_outputs(csv_id: str) -> list[Output]:
    """The `href` of every format link of one `link_control`, in FORMATS order."""
    return [Output(format_id(csv_id, fmt), "href") for fmt in FORMATS]


def download_inputs(*csv_ids: str) -> list[Input]:
    """The n_clicks Inputs of every format button of these controls, control by control."""
    return [Input(format_id(c, fmt), "n_clicks") for c in csv_ids for fmt in FORMATS]


def clicked(triggered_id: object, *csv_ids: str) -> tuple[str, str] | None:
    """(csv_id, format) of the button that fired the callback; None for anything else."""
    for c in csv_ids:
        for fmt in FORMATS:
            if triggered_id == format_id(c, fmt):
                return c, fmt
    return None


def chosen_format(triggered_id: object, csv_id: str) -> str:
    """The format of the clicked button of one control (CSV when the trigger is not one)."""
    hit = clicked(triggered_id, csv_id)
    return hit[1] if hit else "csv"
