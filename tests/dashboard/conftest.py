"""Helpers to read Dash component trees returned by callbacks."""

from __future__ import annotations

from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from dash import dcc, html
from dash.development.base_component import Component

VOID = frozenset({"br", "hr", "img"})  # tags without an end tag


class _Components(HTMLParser):
    """HTML (the markup of a static table) -> the Dash html components it stands for."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[list] = [[]]
        self.open: list[tuple[str, dict]] = []

    def handle_starttag(self, name, attrs):
        props = {}
        for k, v in attrs:
            if k == "class":
                props["className"] = v
            elif k == "style":
                props["style"] = dict(
                    (x.strip() for x in d.split(":", 1)) for d in v.split(";") if d.strip())
            elif k == "tabindex":
                props["tabIndex"] = v
            else:
                props[k] = v
        if name in VOID:
            self.stack[-1].append(getattr(html, name.capitalize())(**props))
            return
        self.open.append((name, props))
        self.stack.append([])

    def handle_endtag(self, name):
        if name in VOID:
            return
        tag, props = self.open.pop()
        assert tag == name, (tag, name)
        children = self.stack.pop()
        kids = children[0] if len(children) == 1 else (children or None)
        self.stack[-1].append(getattr(html, tag.capitalize())(kids, **props))

    def handle_data(self, data):
        self.stack[-1].append(data)


def from_html(markup: str) -> list:
    p = _Components()
    p.feed(markup)
    p.close()
    assert not p.open, p.open
    return p.stack[0]


def _expanded(node):
    """A markdown component of raw HTML (a static table) stands for the components of its
    markup: tests read its rows and cells as they read component tables."""
    if isinstance(node, dcc.Markdown) and getattr(node, "dangerously_allow_html", False):
        return from_html(node.children)
    return getattr(node, "children", None)


def _serialised(node) -> bool:
    """A component in the JSON form Dash sends (panels.serialised): {"type", "namespace",
    "props"}."""
    return isinstance(node, dict) and {"type", "namespace", "props"} <= node.keys()


def walk(node):
    if isinstance(node, (list, tuple)):
        for n in node:
            yield from walk(n)
    elif isinstance(node, Component):
        yield node
        yield from walk(_expanded(node))
    elif _serialised(node):  # read like a component: its props as attributes
        yield SimpleNamespace(**node["props"], _type=node["type"])
        yield from walk(node["props"].get("children"))
    elif isinstance(node, SimpleNamespace):  # a part walk gave, walked again
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
        return text(_expanded(node))
    if isinstance(node, SimpleNamespace):  # from walk
        return text(getattr(node, "children", None))
    if _serialised(node):
        return text(node["props"].get("children"))
    return ""


def kind(node) -> str:
    """A component's type name, for a component object or a serialised one (from walk)."""
    return node._type if isinstance(node, SimpleNamespace) else type(node).__name__


@pytest.fixture()
def tree():
    class Tree:
        walk = staticmethod(walk)
        text = staticmethod(text)
        kind = staticmethod(kind)

        @staticmethod
        def find(node, **props):
            return [c for c in walk(node)
                    if all(getattr(c, k, None) == v for k, v in props.items())]
    return Tree


# ------------------------------------------------------------------ a small built warehouse


def _built_data_dir(tmp_path_factory):
    from pipelines.build import build
    from pipelines.demo_stage import stage_demo
    from pipelines.staging import DataPaths

    data = tmp_path_factory.mktemp("warehouse")
    stage_demo(DataPaths(data).ensure(), scope="nl", waves=2, seed=7)
    build(data)
    return data


@pytest.fixture(scope="session")
def nl_data_dir(tmp_path_factory):
    """A published build of Dutch demo data (342 municipalities, waves 2025 and 2026)."""
    return _built_data_dir(tmp_path_factory)


def _ctx(data_dir, visibility):
    from dashboard.config import Settings
    from dashboard.context import AppContext

    return AppContext.load(Settings.from_env({"DS4E_DATA_DIR": str(data_dir),
                                              "DS4E_VISIBILITY": visibility}))


@pytest.fixture(scope="session")
def nl_ctx(nl_data_dir):
    """AppContext on the Dutch demo build with the consent rule (the default)."""
    return _ctx(nl_data_dir, "consent")


@pytest.fixture(scope="session")
def nl_open_ctx(nl_data_dir):
    """The same build with DS4E_VISIBILITY=open."""
    return _ctx(nl_data_dir, "open")


# ------------------------------------------------------------------ API test clients


def _api_client(data_dir, **env):
    from app import create_app
    from dashboard.config import Settings

    # Rate limits off unless a test sets them: the session's clients send thousands of requests
    # from one address; tests/dashboard/test_security.py proves the limits.
    settings = Settings.from_env({"DS4E_DATA_DIR": str(data_dir), "DS4E_RATE_LIMITS": "0", **env})
    return create_app(settings).server.test_client()


@pytest.fixture(scope="session")
def api_client():
    """A Flask test client of the whole app on a data folder: api_client(data_dir, **env)."""
    return _api_client


@pytest.fixture(scope="session")
def consent(nl_data_dir):
    """API client on the Dutch demo build with the consent rule."""
    return _api_client(nl_data_dir, DS4E_VISIBILITY="consent")


@pytest.fixture(scope="session")
def open_(nl_data_dir):
    """API client on the Dutch demo build with DS4E_VISIBILITY=open."""
    return _api_client(nl_data_dir, DS4E_VISIBILITY="open")


@pytest.fixture(scope="session")
def empty(tmp_path_factory):
    """API client on a data folder where nothing is published."""
    return _api_client(tmp_path_factory.mktemp("nothing-published"))

