"""Numbers as each language writes them: 59.543 and 0,5 in Dutch, 59,543 and 0.5 in English.

The same rule as the maps, policy, profile and heatmap pages' own helpers; new code uses these.
"""

from __future__ import annotations

_NL_SEPARATORS = str.maketrans(",.", ".,")


def fmt_num(value, lang: str, digits: int = 1) -> str:
    """1,234.5 (en) / 1.234,5 (nl); "–" for a missing value (None, NaN, pd.NA, not a number)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "–"
    if v != v:
        return "–"
    text = f"{v:,.{digits}f}"
    return text.translate(_NL_SEPARATORS) if lang == "nl" else text


def fmt_int(value, lang: str) -> str:
    """A count with thousands separators: 59.543 (nl) / 59,543 (en); "–" when missing."""
    return fmt_num(value, lang, 0)


def plotly_separators(lang: str) -> str:
    """Plotly's layout.separators (decimal, then thousands) for `lang`, so that hover texts
    such as %{customdata:,} read as the page's other numbers."""
    return ",." if lang == "nl" else ".,"
