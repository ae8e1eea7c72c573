"""Matching keys: headers and answer texts compared the way a person reads them.

"  Heeft uw gemeente\u00a0een strategie? " and "heeft uw gemeente een strategie?" are the same
question, and the answer option "3 - Vastgesteld" is the export's "3 – Vastgesteld": Unicode
compatibility forms (NFKC), a BOM and zero-width characters, outer and repeated white space (any
kind), case, the kind of dash (hyphen-minus, hyphen, non-breaking hyphen, figure dash, en dash,
em dash, horizontal bar, minus sign) and the kind of quote (straight, curly, low, prime,
guillemets) do not count.
"""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"), None)
_QUOTES = str.maketrans({
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u0060\u00b4", "'"),  # ‘ ’ ‚ ‛ ′ ` ´
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),  # “ ” „ ‟ ″ « »
})
# hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar, minus sign,
# small and full-width hyphen-minus (NFKC already folds the last two)
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63"
                                      "\uff0d", "-"))
_ELEMENT_SEPARATORS = re.compile(r"[\s_\-.]+")


def text_key(value: object) -> str:
    """The key a header, question reference or answer option is matched on."""
    text = "" if value is None else str(value).translate(_QUOTES)  # before NFKC splits ´
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).translate(_DASHES)
    return " ".join(text.split()).casefold()


def element_key(value: object) -> str:
    """'str_01', ' STR-01 ', 'Str 01' -> 'STR-01' (compare with the framework's element ids)."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value)).translate(_INVISIBLE)
    return _ELEMENT_SEPARATORS.sub("-", text.strip()).upper()
