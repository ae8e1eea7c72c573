"""Interface texts that name a command: `like this` in the i18n catalogue, shown as code.

A backtick is markup for the translator, never something the user sees: `with_code` turns every
`...` span into an html.Code element and leaves the rest as text. Only the texts listed in
CODE_KEYS may carry backticks (tests/dashboard/test_text_polish.py checks the catalogues).
"""

from __future__ import annotations

from dash import html

from dashboard.i18n import t

# the i18n keys whose backticks mark a command; each caller renders it with `t_code`
CODE_KEYS = frozenset({"overview.empty.body", "maps.empty.body", "survey.demo.body"})


def with_code(text: str) -> list:
    """`text` as children: the parts between backticks as html.Code, the rest as strings; an
    unpaired backtick is dropped rather than shown."""
    out: list = []
    for i, part in enumerate(text.split("`")):
        if not part:
            continue
        out.append(html.Code(part) if i % 2 else part)
    return out


def t_code(key: str, lang: str | None, **values: object) -> list:
    """t(key, lang, **values) with its `commands` as code."""
    return with_code(t(key, lang, **values))
