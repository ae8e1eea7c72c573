"""Co-development initiatives as the Roadmap tab and the Knowledge page show them: one list item
per initiative (what, by whom where that may be named, when, who takes part) and, for the holder
of a municipality's survey link, a role choice and a Join button. The items are the public dicts
of dashboard/codev.py, so the consent rule is decided there, never here."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard.components.numbers import fmt_int
from dashboard.i18n import t

JOIN = "codev-join"  # pattern-matching id type: {"type": JOIN, "index": initiative id}
ROLE = "codev-role"


def members_text(item: dict, lang: str) -> str:
    co, ad = item["co_developers"], item["adopters"]
    text = t("codev.members", lang, co=fmt_int(co["total"], lang), ad=fmt_int(ad["total"], lang))
    hidden = co["not_named"] + ad["not_named"]
    return text + (" " + t("codev.members.hidden", lang, n=fmt_int(hidden, lang)) if hidden
                   else "")


def _names(item: dict) -> list:
    named = item["co_developers"]["named"] + item["adopters"]["named"]
    if not named:
        return []
    out: list = [" · "]
    for i, p in enumerate(named):
        if i:
            out.append(", ")
        out.append(html.A(p["name"], href=f"/profile?m={p['municipality_id']}"))
    return out


def initiative_item(item: dict, lang: str, *, can_join: bool) -> html.Li:
    owner = item["owner"]
    by = t("codev.by", lang, name=owner["name"]) if owner else t("codev.by.hidden", lang)
    head = [html.Strong(item["component"] or item["element"]), " · ",
            t(f"codev.kind.{item['kind']}", lang), " · ", by, " · ",
            t("codev.starts", lang, date=item["start"])]
    body = [html.Div(head), html.Div(item["description"], className="codev-description"),
            html.Div([members_text(item, lang), *_names(item)],
                     className="text-body-secondary")]
    if item["yours"]:
        body.append(dbc.Badge(t(f"codev.yours.{item['yours']}", lang), color="success",
                              className="mt-1"))
    elif can_join:
        role_id = {"type": ROLE, "index": item["id"]}
        body.append(html.Div([
            html.Label([  # the label wraps the select: its accessible name
                html.Span(t("codev.role.label", lang), className="me-1"),
                dbc.Select(id=role_id, value="adopter", size="sm",
                           className="w-auto d-inline-block",
                           options=[{"label": t(f"codev.role.{r}", lang), "value": r}
                                    for r in ("co_developer", "adopter")]),
            ], className="mb-0"),
            dbc.Button(t("codev.join", lang), id={"type": JOIN, "index": item["id"]},
                       size="sm", color="primary", className="ms-2"),
        ], className="d-flex flex-wrap align-items-center gap-1 mt-1"))
    return html.Li(body, className="mb-2 codev-initiative", **{"data-initiative": item["id"]})


def initiative_list(items: list[dict], lang: str, *, can_join: bool = False) -> html.Ul:
    return html.Ul([initiative_item(i, lang, can_join=can_join) for i in items],
                   className="small mb-1 list-unstyled codev-initiatives")
