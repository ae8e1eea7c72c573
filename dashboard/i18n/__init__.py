"""Interface texts in Dutch and English. Content texts live in the framework files."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGS = ("nl", "en")
_DIR = Path(__file__).parent


@cache
def catalog(lang: str) -> dict[str, str]:
    return json.loads((_DIR / f"{lang}.json").read_text(encoding="utf-8"))


def normalise_lang(lang: str | None) -> str:
    return lang if lang in LANGS else "nl"


def t(key: str, lang: str | None = "nl", **values: object) -> str:
    """The text for `key` in `lang`, formatted with `values`; a missing key is a bug."""
    text = catalog(normalise_lang(lang))[key]
    return text.format(**values) if values else text
