"""Full-text search over the framework, in both languages at once. Pure: no Dash, no I/O.

Every query word must occur somewhere in an element (AND), accents and case ignored, so
"informatiebeveiliging", "NIS2" and "wallet" all find what a user means. Hits are ranked by
where they occur: an id or name hit counts more than a hit in a level descriptor.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pipelines.framework import Element, Framework

# field -> weight; the order is also the order in which "found in" is reported
FIELD_WEIGHTS = {"id": 10, "name": 6, "laws": 4, "description": 3, "kickstart": 2,
                 "evidence": 1, "levels": 1, "steps": 1}


def fold(text: str) -> str:
    """Lower-case and strip accents: 'Ééngemaakt' -> 'eengemaakt'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(query: str) -> list[str]:
    return [t for t in re.split(r"[\s,;]+", fold(query or "")) if t]


@dataclass(frozen=True)
class Hit:
    element: Element
    score: int
    fields: tuple[str, ...]  # where the words were found, strongest first


def _fields(fw: Framework, el: Element) -> dict[str, str]:
    both = lambda text: f"{text.nl} \n {text.en}"  # noqa: E731
    laws = {f"{law.id} {law.short_name('nl')} {law.short_name('en')} {law.name.nl} {law.name.en}"
            for law, _ in fw.laws_requiring(el.id)}
    kick = [fw.instrument_by_id[i] for i in el.kickstart if i in fw.instrument_by_id]
    return {
        "id": el.id,
        "name": both(el.name),
        "laws": " ".join(sorted(laws)),
        "description": both(el.description),
        "kickstart": " ".join(f"{i.id} {i.name} {i.owner}" for i in kick),
        "evidence": both(el.evidence),
        "levels": " ".join(both(t) for t in el.levels.values()),
        "steps": " ".join(both(t) for t in el.steps),
    }


class SearchIndex:
    """Folded text per element and field, built once per framework."""

    def __init__(self, fw: Framework):
        self.framework = fw
        self._rows = [(el, {k: fold(v) for k, v in _fields(fw, el).items()}) for el in fw.elements]

    def search(self, query: str, block: str | None = None) -> list[Hit]:
        words = tokens(query)
        hits = []
        for order, (el, fields) in enumerate(self._rows):
            if block and el.block != block:
                continue
            if not words:
                hits.append((0, order, Hit(el, 0, ())))
                continue
            score, found = 0, set()
            for w in words:
                where = [f for f in FIELD_WEIGHTS if w in fields[f]]
                if not where:
                    break
                score += FIELD_WEIGHTS[where[0]]
                found.update(where)
            else:
                ordered = tuple(f for f in FIELD_WEIGHTS if f in found)
                hits.append((-score, order, Hit(el, score, ordered)))
        return [h for *_, h in sorted(hits, key=lambda x: (x[0], x[1]))]
