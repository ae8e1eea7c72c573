"""The policy view's funding what-if section: two package editors side by side (stacked on a
phone), who is funded and how many, and the result: in words first, then per package a compact
table per law (before, after, difference) and, for two packages, their difference; CSV download.
The numbers and words come from data_funding / texts_funding through dashboard/funding/answer.py,
the API's own path, so the page and POST /api/v1/insight/funding-what-if agree."""

from __future__ import annotations

import re

import dash_bootstrap_components as dbc
from dash import html

from dashboard.components.downloads import link_control
from dashboard.components.numbers import fmt_int
from dashboard.context import AppContext
from dashboard.funding.answer import NotPublished, answers_of, difference
from dashboard.i18n import t
from dashboard.views.policy import data_funding as df
from dashboard.views.policy import ids
from dashboard.views.policy import texts_funding as tf
from dashboard.views.policy.selection import Selection
from dashboard.views.policy.tables import esc, static, table_markup, tag, th
from dashboard.views.policy.texts import short
from pipelines.maturity import funding as fe

DEFAULT_REACH = 500
DEFAULTS = {"a": [("SEC-02", 3), ("SEC-01", 3)], "b": [("GOV-02", 3)]}
NONE = "none"  # an editor row without an element (dbc.Select disables an empty value)


# ------------------------------------------------------------------ the editors


LABEL_CHARS = 34  # an option's text fits a phone-wide select (the layout-width test measures it)


def _element_options(ctx: AppContext, lang: str) -> list[dict]:
    return [{"label": "–", "value": NONE}] + [
        {"label": short(f"{e.id} · {e.name.get(lang)}", LABEL_CHARS), "value": e.id,
         "title": f"{e.id} · {e.name.get(lang)}"} for e in ctx.framework.elements]


def _row(ctx: AppContext, package: str, r: int, lang: str) -> dbc.Row:
    given = DEFAULTS[package][r] if r < len(DEFAULTS[package]) else (NONE, 3)
    f = ids.funding_field
    return dbc.Row([
        dbc.Col([dbc.Label(t("funding.element", lang), html_for=f(package, "element", r),
                           className="small mb-0"),
                 dbc.Select(id=f(package, "element", r), value=given[0], size="sm",
                            options=_element_options(ctx, lang))], xs=12),
        dbc.Col([dbc.Label(t("funding.level", lang), html_for=f(package, "level", r),
                           className="small mb-0"),
                 dbc.Select(id=f(package, "level", r), value=str(given[1]), size="sm",
                            options=[{"label": str(v), "value": str(v)} for v in fe.LEVELS])],
                xs=4),
        dbc.Col([dbc.Label(t("funding.cost", lang), html_for=f(package, "cost", r),
                           className="small mb-0"),
                 dbc.Input(id=f(package, "cost", r), type="number", min=0, step=1000, size="sm",
                           value=int(fe.DEFAULT_COST))], xs=8),
    ], className="g-2 mb-3")


def editor(ctx: AppContext, package: str, lang: str) -> dbc.Col:
    title = t("funding.package.b" if package == "b" else "funding.package", lang,
              name=package.upper())
    return dbc.Col(html.Fieldset([
        html.Legend(title, className="h6"),
        *(_row(ctx, package, r, lang) for r in range(ids.FUNDING_ROWS)),
    ], className="border rounded p-2 h-100"), xs=12, lg=6, className="mb-2")


def settings_row(ctx: AppContext, lang: str) -> dbc.Row:
    laws = [{"label": law.short_name(lang), "value": law.id} for law in ctx.framework.all_laws]
    return dbc.Row([
        dbc.Col([dbc.Label(t("funding.rule", lang), html_for=ids.FUNDING_RULE, className="mb-1"),
                 dbc.Select(id=ids.FUNDING_RULE, value="leverage", options=[
                     {"label": t(f"funding.rule.{r}", lang), "value": r} for r in fe.RULES])],
                xs=12, sm=6, xl=3),
        dbc.Col([dbc.Label(t("funding.law", lang), html_for=ids.FUNDING_LAW, className="mb-1"),
                 dbc.Select(id=ids.FUNDING_LAW, value="NIS2", options=laws)], xs=12, sm=6, xl=3),
        dbc.Col([dbc.Label(t("funding.reach", lang), html_for=ids.FUNDING_REACH,
                           className="mb-1"),
                 dbc.Input(id=ids.FUNDING_REACH, type="number", min=0, step=1,
                           value=DEFAULT_REACH)], xs=6, xl=2),
        dbc.Col([dbc.Label(t("funding.budget", lang), html_for=ids.FUNDING_BUDGET,
                           className="mb-1"),
                 dbc.Input(id=ids.FUNDING_BUDGET, type="number", min=0, step=100000)],
                xs=6, xl=2),
        dbc.Col(dbc.Button(t("funding.run", lang), id=ids.FUNDING_RUN, color="primary",
                           n_clicks=0, className="w-100"), xs=12, xl=2,
                className="d-flex align-items-end mb-1"),
    ], className="g-2 mb-3")


def section_body(ctx: AppContext, lang: str) -> html.Div:
    return html.Div([
        html.P(t("funding.privacy", lang), className="small text-body-secondary"),
        dbc.Row([editor(ctx, "a", lang), editor(ctx, "b", lang)], className="g-2"),
        settings_row(ctx, lang),
        html.Div(id=ids.FUNDING_RESULT, **{"aria-live": "polite"}),
    ], id=ids.FUNDING)


# ------------------------------------------------------------------ reading the controls


def _number(value):
    if value is None or str(value).strip() == "":
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)  # refused by the body's validation, which names the field
    return int(v) if v.is_integer() else v


def body_of(sel: Selection, fields: dict, settings: dict) -> dict:
    """The controls -> the API's request body (so the page takes the API's path)."""
    body: dict = {"rule": settings.get("rule") or "leverage"}
    for key, value in (("country", sel.country), ("nuts2", sel.nuts2), ("size_class", sel.size)):
        if value:
            body[key] = value
    for package, key in (("a", "package"), ("b", "compare")):
        items = []
        for r in range(ids.FUNDING_ROWS):
            el = fields.get(ids.funding_field(package, "element", r))
            if not el or el == NONE:
                continue
            item = {"element": el, "level": _number(fields.get(
                ids.funding_field(package, "level", r)))}
            cost = _number(fields.get(ids.funding_field(package, "cost", r)))
            if cost is not None:
                item["cost"] = cost
            items.append(item)
        if items or package == "a":
            body[key] = items
    if body["rule"] == "readiness":
        body["law"] = settings.get("law")
    reach, budget = _number(settings.get("reach")), _number(settings.get("budget"))
    if budget is not None:
        body["budget"] = budget
    if reach is not None:
        body["reach"] = reach
    return body


def requests_of(ctx: AppContext, sel: Selection, body: dict) -> list[df.Request]:
    """The controls' body -> one Request per package (fe.PackageError / df.FundingError name
    the bad field, as the API's validation does)."""
    out = []
    for key in ("package", "compare"):
        if key not in body:
            continue
        try:
            pkg = fe.make_package(body[key], ctx.framework.element_ids)
        except fe.PackageError as e:
            raise df.FundingError(e.field.replace("package", key, 1), e.problem) from None
        reach = body.get("reach")
        if reach is not None and not isinstance(reach, int):
            raise df.FundingError("reach", f"expected a whole number, got {reach!r}")
        budget = body.get("budget")
        if budget is not None and not isinstance(budget, int | float):
            raise df.FundingError("budget", f"expected an amount, got {budget!r}")
        out.append(df.Request(sel, pkg, body["rule"], reach, budget, body.get("law")))
    return out


# what a user of the page can get wrong, as the engines word it (English, for the API and the
# CLI) -> the page's words in its language
_PROBLEMS = ((re.compile(r"needs at least one element"), "empty"),
             (re.compile(r"(?P<element>\S+) is in the package twice"), "twice"),
             (re.compile(r"expected a (whole number|number of municipalities)"), "reach"),
             (re.compile(r"expected an amount"), "budget"),
             (re.compile(r"give a reach"), "none"),
             (re.compile(r"expected a cost"), "cost"),
             (re.compile(r"expected a target level"), "level"))


def page_problem(e: df.FundingError, lang: str) -> str:
    """A request error in the page's language, naming the package (A or B) and its row."""
    for pattern, key in _PROBLEMS:
        m = pattern.search(e.problem)
        if m:
            problem = t(f"funding.problem.{key}", lang, **m.groupdict())
            break
    else:
        return f"{e.field}: {e.problem}"
    where = re.match(r"(package|compare)\.(\d+)", e.field)
    if where and key != "twice":
        return t("funding.problem.where", lang, package="A" if where[1] == "package" else "B",
                 row=int(where[2]) + 1, problem=problem)
    return problem


def compute(ctx: AppContext, sel: Selection, fields: dict, settings: dict, lang: str):
    """(answers, None) or (None, error text)."""
    try:
        return answers_of(ctx, requests_of(ctx, sel, body_of(sel, fields, settings))), None
    except df.FundingError as e:
        return None, t("funding.error", lang, problem=page_problem(e, lang))
    except NotPublished as e:
        return None, str(e)


# ------------------------------------------------------------------ the result


def _region(markup: str, caption: str) -> html.Div:
    """A table in a focusable scroll box named by its caption."""
    return html.Div(static(markup), className="table-responsive", tabIndex="0", role="region",
                    **{"aria-label": caption})


def _duty(name: str, duty: str, lang: str) -> str:
    return tag("td", tag("strong", esc(name)) + " " + tag(
        "span", esc(t(f"funding.table.duty.{duty}", lang)), "small text-body-secondary"))


def _law_table(ctx: AppContext, ans: df.Answer, name: str, lang: str) -> html.Div | html.P:
    """Per law: ready before / due, after, the difference, cost per municipality made ready
    (one markup table, as the policy view's other tables)."""
    laws = tf.laws_rows(ctx, ans, lang)  # plain rows: no DataFrame for a few lines of markup
    if not laws:
        return html.P(t("funding.table.empty", lang), className="small mb-0")
    head = [th(t("funding.table.law", lang)), th(t("funding.table.before", lang), "text-end"),
            th(t("funding.table.after", lang), "text-end"),
            th(t("funding.table.difference", lang), "text-end"),
            th(t("funding.table.cost", lang), "text-end pol-wrap")]
    rows = [tag("tr", _duty(r["name"], r["duty"], lang)
                + tag("td", esc(f"{fmt_int(r['ready_before'], lang)} / "
                                f"{fmt_int(r['due'], lang)}"), "text-end text-nowrap")
                + tag("td", esc(fmt_int(r["ready_after"], lang)), "text-end")
                + tag("td", esc("+" + fmt_int(r["difference"], lang)), "text-end fw-semibold")
                + tag("td", "–" if r["cost_per_ready"] is None
                      else esc(tf.money(r["cost_per_ready"], lang)), "text-end text-nowrap"))
            for r in laws]
    caption = t("funding.table.caption", lang, name=name)
    return _region(table_markup(caption, head, rows), caption)


def _difference_table(ctx: AppContext, a: df.Answer, b: df.Answer, lang: str) -> list:
    rows = difference(a, b)
    if not rows:
        return []
    caption = t("funding.difference.caption", lang)
    head = [th(t("funding.table.law", lang)), th(t("funding.difference.a", lang), "text-end"),
            th(t("funding.difference.b", lang), "text-end"),
            th(t("funding.table.difference", lang), "text-end")]
    body = [tag("tr", _duty(tf.law_name(ctx, r["law"], lang), r["duty"], lang)
                + tag("td", esc("+" + fmt_int(r["a"], lang)), "text-end")
                + tag("td", esc("+" + fmt_int(r["b"], lang)), "text-end")
                + tag("td", esc(("+" if r["difference"] > 0 else "")
                                + fmt_int(r["difference"], lang)), "text-end fw-semibold"))
            for r in rows]
    return [html.H3(caption, className="h6 mt-3"), _region(table_markup(caption, head, body),
                                                           caption)]


def _named(ans: df.Answer, lang: str) -> list:
    if not ans.named:
        return []
    names = ", ".join(n for _, n in ans.named[:20])
    more = len(ans.named) - 20 + ans.unnamed
    text = t("funding.named", lang, names=names)
    if more > 0:
        text += " " + t("funding.named.more", lang, n=fmt_int(more, lang))
    return [html.P(text, className="small text-body-secondary mt-2 mb-0")]


def result(ctx: AppContext, answers, error: str | None, lang: str,
           links: tuple[str | None, ...] | None = None) -> list:
    if error:
        return [dbc.Alert(error, color="warning", className="mb-0")]
    if not answers:
        return []
    words = [html.P(tf.sentence(ctx, a, lang), className="funding-sentence mb-2",
                    id=f"{ids.FUNDING_RESULT}-words-{k}") for k, a in enumerate(answers)]
    if len(answers) == 2:
        words.append(html.P(html.Strong(tf.compare_sentence(ctx, *answers, lang)),
                            className="mb-2", id=f"{ids.FUNDING_RESULT}-compare"))
    tables = dbc.Row([dbc.Col([html.H3(t("funding.package", lang, name="AB"[k]),
                                       className="h6 mt-2"),
                               _law_table(ctx, a, "AB"[k], lang), *_named(a, lang)],
                              xs=12, xxl=12 // len(answers)) for k, a in enumerate(answers)],
                     className="g-3")
    if len(answers) == 2:
        tables = html.Div([tables, *_difference_table(ctx, *answers, lang)])
    return [*words, tables,
            html.Div(link_control(ids.FUNDING_CSV, lang, hrefs=links,
                                  what=t("funding.title", lang)), className="mt-2")]
