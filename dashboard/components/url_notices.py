"""What a page says when its address asks for something that does not exist.

A permalink with a typo (`?country=ZZ`, `?at=notadate`, `?m=XX_NOPE`) must never fall back to a
default in silence: the reader would take the default's numbers for what they asked. Pages
collect (i18n key, values) notices while parsing their URL state and show them with `alerts`.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard.i18n import t

Notice = tuple[str, dict]


def _word(value, lang: str):
    """A value that names a fallback in words ('url.fallback.eu') is translated."""
    return t(value, lang) if isinstance(value, str) and value.startswith("url.fallback.") else value


def alerts(notices: list[Notice], lang: str, alert_id: str | None = None) -> html.Div:
    """One warning listing every notice (an empty Div when there is none)."""
    props = {"id": alert_id} if alert_id else {}
    if not notices:
        return html.Div(**props)
    items = [html.Li(t(key, lang, **{k: _word(v, lang) for k, v in values.items()}))
             for key, values in notices]
    return html.Div(dbc.Alert([html.Strong(t("url.notice.title", lang)), html.Ul(items, className="mb-0")],
                              color="warning", className="url-notice"), role="status", **props)
