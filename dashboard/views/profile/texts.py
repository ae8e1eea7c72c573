"""The profile's sentences: the peer group in words and the captions under the radar, the
distribution and the trend (what a screen reader reads instead of the chart). Pure: no Dash."""

from __future__ import annotations

import numpy as np

from dashboard.components.numbers import fmt_int, fmt_num
from dashboard.components.places import country_name, nuts_names
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.views.profile.data import RadarData, Selection, TrendData, answered
from pipelines.maturity.profile import Profile
from pipelines.reference import size_class_label


def level_text(x: float, lang: str) -> str:
    """A level or score for text: '3' for whole levels, '2.4' (nl '2,4') otherwise, '–' if NaN."""
    if x is None or np.isnan(x):
        return "–"
    return fmt_num(x, lang, 0 if float(x).is_integer() else 1)


def custom_count_text(custom, lang: str) -> str:
    """'3 gekozen' beside the hand-picked group's label (from two chosen on, as the dropdown
    showed it inside the field); '' for fewer."""
    n = len(custom or ())
    return t("profile.picker.selected", lang, num_selected=fmt_int(n, lang)) if n >= 2 else ""


def peer_group_text(ctx: AppContext, sel: Selection, lang: str) -> str:
    """'Netherlands, 20,000–49,999 inhabitants: 112 municipalities (Utrecht not counted),
    74 with answers in 2026'."""
    ref = ctx.municipalities
    row = sel.target
    country = country_name(ctx, ref["country"].iat[row], lang)
    if sel.kind == "country_size":
        group = t("profile.peers.group.country_size", lang, country=country,
                  size=size_class_label(ref["size_class"].iat[row], lang))
    elif sel.kind == "nuts2":
        code = ref["nuts2"].iat[row]
        group = t("profile.peers.group.nuts2", lang,
                  region=nuts_names(ctx.settings.reference_dir).get(code, code), code=code)
    elif sel.kind == "country":
        group = t("profile.peers.group.country", lang, country=country)
    else:
        group = t("profile.peers.group.custom", lang)
    n = int(sel.peers.sum())
    k = int((sel.peers & answered(sel)).sum())
    return t("profile.peers.size", lang, group=group, n=fmt_int(n, lang), answered=fmt_int(k, lang),
             wave=sel.wave, name=sel.name)


def radar_caption(data: RadarData, sel: Selection, view: str, lang: str) -> str:
    p = data.profile
    parts = []
    if sel.visible and not np.isnan(p.own).all() and p.suppressed.all():
        values = ", ".join(f"{n} {level_text(v, lang)}" for n, v in zip(
            data.names if view == "blocks" else p.labels, p.own, strict=True))
        parts.append(t(f"profile.radar.caption.own_only.{view}", lang, name=sel.name,
                       wave=sel.wave, values=values))
    elif sel.visible and not np.isnan(p.own).all():
        # Blocks by name; elements by id (39 names would drown the sentence).
        names = data.names if view == "blocks" else list(p.labels)
        above = [names[i] for i in range(len(p.own))
                 if not p.suppressed[i] and p.own[i] > p.q3[i]]
        below = [names[i] for i in range(len(p.own))
                 if not p.suppressed[i] and p.own[i] < p.q1[i]]
        parts.append(t(f"profile.radar.caption.{view}", lang, name=sel.name, wave=sel.wave,
                       above=len(above), below=len(below),
                       within=int((~p.suppressed & ~np.isnan(p.own)).sum())
                       - len(above) - len(below)))
        if above:
            parts.append(t("profile.radar.caption.above", lang, items=", ".join(above)))
        if below:
            parts.append(t("profile.radar.caption.below", lang, items=", ".join(below)))
        missing = [lab for lab, v in zip(p.labels, p.own, strict=True) if np.isnan(v)]
        if missing:
            parts.append(t("profile.radar.caption.missing", lang, items=", ".join(missing)))
    elif (~p.suppressed).any():
        parts.append(t("profile.radar.caption.peers_only", lang, wave=sel.wave))
    if p.suppressed.all():
        parts.append(t("profile.radar.caption.suppressed_all", lang, min_group=sel.min_group))
    elif p.suppressed.any():
        parts.append(t("profile.radar.caption.suppressed_some", lang, min_group=sel.min_group,
                       items=", ".join(np.array(p.labels)[p.suppressed])))
    return " ".join(parts)


def distribution_caption(sel: Selection, prof: Profile, lang: str) -> str:
    shown = ~prof.suppressed
    if not shown.any():
        return t("profile.radar.caption.suppressed_all", lang, min_group=sel.min_group)
    if not sel.visible:
        return t("profile.dist.caption.peers_only", lang, wave=sel.wave, n=int(shown.sum()))
    own = prof.own
    has = shown & ~np.isnan(own)
    above = int((has & (own > prof.q3)).sum())
    below = int((has & (own < prof.q1)).sum())
    text = t("profile.dist.caption", lang, name=sel.name, wave=sel.wave, above=above,
             below=below, within=int(has.sum()) - above - below,
             missing=int(np.isnan(own).sum()))
    if prof.suppressed.any():
        text += " " + t("profile.radar.caption.suppressed_some", lang, min_group=sel.min_group,
                        items=", ".join(np.array(prof.labels)[prof.suppressed]))
    return text


def _score_text(value, lang: str) -> str:
    if value is None or np.isnan(value):
        return t("profile.trend.noscore", lang)
    return fmt_num(float(value), lang, 1)


def trend_caption(sel: Selection, td: TrendData, lang: str) -> str:
    parts = []
    if sel.visible and not np.isnan(td.own).all():
        series = " → ".join(f"{_score_text(s, lang)} ({w})"
                            for w, s in zip(td.waves, td.own, strict=True))
        parts.append(t("profile.trend.caption.own", lang, name=sel.name, series=series))
    if not np.isnan(td.peer_median).all():
        series = " → ".join(f"{_score_text(s, lang)} ({w})"
                            for w, s in zip(td.waves, td.peer_median, strict=True))
        parts.append(t("profile.trend.caption.peers", lang, series=series))
    return " ".join(parts) or t("profile.trend.caption.none", lang)
