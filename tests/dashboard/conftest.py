"""Helpers to read Dash component trees returned by callbacks."""

from __future__ import annotations

import pytest
from dash.development.base_component import Component


def walk(node):
    if isinstance(node, (list, tuple)):
        for n in node:
            yield from walk(n)
    elif isinstance(node, Component):
        yield node
        yield from walk(getattr(node, "children", None))


def text(node) -> str:
    if node is None:
        return ""
    if isinstance(node, (str, int, float)):
        return str(node)
    if isinstance(node, (list, tuple)):
        return " ".join(text(n) for n in node)
    if isinstance(node, Component):
        return text(getattr(node, "children", None))
    return ""


@pytest.fixture()
def tree():
    class Tree:
        walk = staticmethod(walk)
        text = staticmethod(text)

        @staticmethod
        def find(node, **props):
            return [c for c in walk(node)
                    if all(getattr(c, k, None) == v for k, v in props.items())]
    return Tree
