"""The frame around every page: skip link, navbar from the page registry, footer, router."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode

import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html

from dashboard import ids
from dashboard.context import AppContext
from dashboard.i18n import normalise_lang, t
from dashboard.registry import SECTIONS, page_for, section_for
from dashboard.views.legislation import page as legislation
from dashboard.views.profile import page as profile
from dashboard.views.roadmap import page as roadmap

_ID = re.compile(r"[A-Za-z0-9_.-]{1,40}")  # a GISCO id ("NL_GM0363"), nothing else is carried
# Pages about one municipality: the one chosen on any of them comes along to the others, in the
# URL (profile -> roadmap -> legislation and back).
_CARRY = {profile: lambda m: {"m": m}, roadmap: lambda m: {"m": m},
          legislation: lambda m: {"view": "municipality", "m": m}}


def layout(ctx: AppContext) -> html.Div:
    lang = ctx.settings.lang
    return html.Div([
        dcc.Location(id=ids.URL, refresh=False),
        dcc.Store(id=ids.HTML_LANG),
        dcc.Store(id=ids.PAGE_TITLE),
        dcc.Store(id=ids.PAGE_TITLE_SINK),
        html.A(t("nav.skip", lang), id=ids.SKIP_LINK, href="#main",
               className="visually-hidden-focusable skip-link"),
        dbc.Navbar(dbc.Container([
            dbc.NavbarBrand([html.Span("DS4E", className="brand-mark"), " ",
                             html.Span(t("app.tagline", lang), id=ids.BRAND_TAG,
                                       className="brand-tag")],
                            href="/"),
            # Below the lg breakpoint the parts fold behind a menu button, so a phone opens on
            # the page itself rather than on lines of navigation.
            dbc.Collapse(html.Nav(dbc.Nav(id=ids.NAV_LINKS, navbar=True), id=ids.NAV_MAIN,
                                  className="me-auto",
                                  **{"aria-label": t("nav.label", lang)}),
                         id=ids.NAV_COLLAPSE, navbar=True, is_open=False,
                         className="order-last order-lg-0"),
            dbc.RadioItems(
                id=ids.LANG, value=lang, inline=True, persistence=True,
                persistence_type="local",
                options=[{"label": "NL", "value": "nl"}, {"label": "EN", "value": "en"}],
                className="lang-switch ms-auto ms-lg-0", inputClassName="btn-check",
                labelClassName="btn btn-sm btn-outline-light",
                labelCheckedClassName="active",
            ),
            html.Button([html.Span(className="navbar-toggler-icon"),
                         html.Span(t("nav.menu", lang), className="visually-hidden")],
                        id=ids.NAV_TOGGLER, className="navbar-toggler ms-2",
                        type="button", n_clicks=0,
                        **{"aria-controls": ids.NAV_COLLAPSE, "aria-expanded": "false"}),
        ], fluid=True), color="primary", dark=True, expand="lg", className="mb-3", tag="header",
                   role="banner"),  # the default role "navigation" is not allowed on <header>
        html.Main(dbc.Container([html.Div(id=ids.SUBNAV), html.Div(id=ids.DEMO_BANNER),
                                 html.Div(id=ids.PAGE)], fluid="xl"),
                  id="main", tabIndex="-1"),
        html.Footer(dbc.Container(id=ids.FOOTER, fluid="xl"), className="site-footer mt-5 py-3"),
    ])


def carried_municipality(pathname: str | None, search: str | None) -> str | None:
    """The municipality the current page is about (its `m`), to carry to the other such pages."""
    if page_for(pathname) not in _CARRY:
        return None
    m = parse_query(search).get("m", "")
    return m if _ID.fullmatch(m) else None


def href(page, m: str | None = None) -> str:
    """A page's address, with the carried municipality where the page is about one."""
    if m and page in _CARRY:
        return f"{page.PATH}?{urlencode(_CARRY[page](m))}"
    return page.PATH


def nav_links(pathname: str | None, lang: str | None, search: str | None = None) -> list:
    """The navbar: one link per part of the toolkit, to its first page."""
    lang = normalise_lang(lang)
    current = section_for(page_for(pathname))
    m = carried_municipality(pathname, search)
    return [dbc.NavItem(dbc.NavLink(_label(t(s.label_key, lang), s is current, "nav.current.part",
                                           lang), href=href(s.pages[0], m), active=s is current))
            for s in SECTIONS]


def _label(text: str, current: bool, hint_key: str, lang: str):
    """A link's text; the current one says so to a screen reader too (dbc.NavLink takes no
    aria-current, and its `active` class is only seen)."""
    if not current:
        return text
    return [text, html.Span(" " + t(hint_key, lang), className="visually-hidden")]


def subnav(pathname: str | None, lang: str | None, search: str | None = None):
    """The pages of the current part, as a row of links under the navbar (none for a part of
    one page)."""
    lang = normalise_lang(lang)
    page = page_for(pathname)
    section = section_for(page)
    if section is None or len(section.shown()) < 2:
        return None
    m = carried_municipality(pathname, search)
    label = t(section.label_key, lang)
    return html.Nav(dbc.Nav([
        dbc.NavItem(dbc.NavLink(_label(t(p.NAV_KEY, lang), p is page, "nav.current.page", lang),
                                href=href(p, m), active=p is page))
        for p in section.shown()], pills=True, className="subnav-links"),
        className="subnav mb-3", **{"aria-label": t("nav.subnav", lang, section=label)})


def page_title(pathname: str | None, lang: str | None) -> str:
    """The browser tab's title: the page, then the toolkit (WCAG 2.4.2)."""
    lang = normalise_lang(lang)
    page = page_for(pathname)
    name = t(page.NAV_KEY, lang) if page is not None else t("notfound.title", lang)
    return f"{name} · DS4E toolkit"


def parse_query(search: str | None) -> dict[str, str]:
    """'?m=NL_GM0363&wave=2026' -> {'m': 'NL_GM0363', 'wave': '2026'} (last value wins)."""
    return {k: v[-1] for k, v in parse_qs((search or "").lstrip("?")).items()}


def route(ctx: AppContext, pathname: str | None, lang: str | None, search: str | None = None):
    """The page for a path; its controls start from the URL query, so a link reproduces a view."""
    lang = normalise_lang(lang)
    page = page_for(pathname)
    if page is None:
        return html.Div([html.H1(t("notfound.title", lang), className="h2"),
                         html.P(t("notfound.body", lang, path=pathname))])
    return page.layout(ctx, lang, parse_query(search))


def demo_banner(ctx: AppContext, lang: str | None):
    """Demo data are marked as demo wherever the app runs on them; a published build that
    failed its integrity check is announced above it (`integrity_banner`)."""
    lang = normalise_lang(lang)
    snap = ctx.warehouse.snapshot()
    damaged = integrity_banner(ctx, snap, lang)
    demo = None
    if snap is not None and snap.demo:
        demo = dbc.Alert([html.Strong(t("demo.banner.title", lang) + " "),
                          t("demo.banner.body", lang)], color="warning", className="demo-banner py-2")
    return [b for b in (damaged, demo) if b is not None] or None


def integrity_banner(ctx: AppContext, snap, lang: str):
    """Why the newest figures are not shown: the published build failed its check (a damaged or
    missing file); the pages show the older build that passes, or no figures at all."""
    verdict = ctx.warehouse.integrity
    if verdict is None or verdict.ok:
        return None
    files = ", ".join(f"{p.file}: {p.problem}" for p in verdict.problems)
    if snap is not None:
        key, color = "integrity.degraded", "warning"
        body = t(f"{key}.body", lang, failed=verdict.build_id, files=files,
                 served=snap.build_id, date=str(snap.manifest.get("built_at", ""))[:10])
    else:
        key, color = "integrity.error", "danger"
        body = t(f"{key}.body", lang, failed=verdict.build_id, files=files)
    return dbc.Alert([html.Strong(t(f"{key}.title", lang) + " "), body], color=color,
                     className="integrity-banner py-2")


def footer(ctx: AppContext, lang: str | None) -> list:
    lang = normalise_lang(lang)
    return [html.Span(t("footer.framework", lang, version=ctx.framework.version)), " · ",
            html.A(t("footer.api", lang), href="/api/v1/framework")]


def register(app, ctx: AppContext) -> None:
    # The query is State: pages write their state into the URL (permalinks) without being
    # re-rendered; a path or language change re-renders the page from the URL.
    @app.callback(Output(ids.PAGE, "children"), Input(ids.URL, "pathname"),
                  Input(ids.LANG, "value"), State(ids.URL, "search"))
    def _route(pathname, lang, search):
        return route(ctx, pathname, lang, search)

    @app.callback(Output(ids.NAV_LINKS, "children"), Output(ids.SUBNAV, "children"),
                  Output(ids.PAGE_TITLE, "data"), Output(ids.SKIP_LINK, "children"),
                  Output(ids.BRAND_TAG, "children"), Output(ids.NAV_MAIN, "aria-label"),
                  Input(ids.URL, "pathname"),
                  Input(ids.LANG, "value"), Input(ids.URL, "search"))
    def _nav(pathname, lang, search):
        return (nav_links(pathname, lang, search), subnav(pathname, lang, search),
                page_title(pathname, lang), t("nav.skip", normalise_lang(lang)),
                t("app.tagline", normalise_lang(lang)), t("nav.label", normalise_lang(lang)))

    @app.callback(Output(ids.DEMO_BANNER, "children"), Input(ids.URL, "pathname"),
                  Input(ids.LANG, "value"))
    def _demo(_pathname, lang):
        return demo_banner(ctx, lang)

    @app.callback(Output(ids.FOOTER, "children"), Input(ids.LANG, "value"))
    def _footer(lang):
        return footer(ctx, lang)

    app.clientside_callback(
        """function(n, pathname, isOpen) {
            const t = window.dash_clientside.callback_context.triggered.map(x => x.prop_id);
            const open = t.some(p => p.startsWith('""" + ids.NAV_TOGGLER + """.')) ? !isOpen : false;
            const b = document.getElementById('""" + ids.NAV_TOGGLER + """');
            if (b) { b.setAttribute('aria-expanded', open ? 'true' : 'false'); }
            return open;
        }""",
        Output(ids.NAV_COLLAPSE, "is_open"),
        Input(ids.NAV_TOGGLER, "n_clicks"),
        Input(ids.URL, "pathname"),
        State(ids.NAV_COLLAPSE, "is_open"),
        prevent_initial_call=True,
    )

    app.clientside_callback(
        """function(title) {
            if (title) { document.title = title; }
            return window.dash_clientside.no_update;
        }""",
        Output(ids.PAGE_TITLE_SINK, "data"), Input(ids.PAGE_TITLE, "data"),
        prevent_initial_call=True)

    # <html lang> follows the chosen language (WCAG 3.1.1); the store is only a sink.
    app.clientside_callback(
        """function(lang) {
            document.documentElement.lang = (lang === 'en') ? 'en' : 'nl';
            return document.documentElement.lang;
        }""",
        Output(ids.HTML_LANG, "data"),
        Input(ids.LANG, "value"),
    )
