"""Interface texts in Dutch and English. Content texts live in the framework files."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGS = ("nl", "en")
_DIR = Path(__file__).parent


@cache
def catalog(lang: str) -> dict[str, str]:
    """`<lang>.json` plus every `<lang>.<part>.json` (one per page), merged; keys must not clash."""
    merged: dict[str, str] = {}
    for path in [_DIR / f"{lang}.json", *sorted(_DIR.glob(f"{lang}.*.json"))]:
        part = json.loads(path.read_text(encoding="utf-8"))
        clash = merged.keys() & part.keys()
        if clash:
            raise ValueError(f"{path.name}: keys already defined elsewhere: {sorted(clash)[:5]}")
        merged.update(part)
    return merged


def normalise_lang(lang: str | None) -> str:
    return lang if lang in LANGS else "nl"


def t(key: str, lang: str | None = "nl", **values: object) -> str:
    """The text for `key` in `lang`, formatted with `values`; a missing key is a bug."""
    text = catalog(normalise_lang(lang))[key]
    return text.format(**values) if values else text
