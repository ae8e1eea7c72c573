"""Matching keys: headers and answer texts compared the way a person reads them.

"  Heeft uw gemeente\u00a0een strategie? " and "heeft uw gemeente een strategie?" are the same
question; a BOM, outer and repeated spaces, case and curly quotes do not count.
"""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"), None)
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
_ELEMENT_SEPARATORS = re.compile(r"[\s_\-.]+")


def text_key(value: object) -> str:
    """The key a header, question reference or answer option is matched on."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    text = text.translate(_INVISIBLE).translate(_QUOTES)
    return " ".join(text.split()).casefold()


def element_key(value: object) -> str:
    """'str_01', ' STR-01 ', 'Str 01' -> 'STR-01' (compare with the framework's element ids)."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value)).translate(_INVISIBLE)
    return _ELEMENT_SEPARATORS.sub("-", text.strip()).upper()
