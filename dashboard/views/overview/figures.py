"""Overview: the coverage map and its caption (the same facts in one sentence, for anyone who
cannot see the map)."""

from __future__ import annotations

from dashboard import geo, geo_files
from dashboard.components import colours
from dashboard.components.maps import choropleth_map
from dashboard.components.places import region_name
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.lru import Lru
from dashboard.store import Snapshot
from dashboard.views.overview import data


def map_values(ctx: AppContext, snap: Snapshot, view: str, wave: str,
               lang: str) -> tuple[list[str], list, list[str]]:
    """Locations, values and hover texts of the coverage map."""
    if view == "nl":
        df = data.municipalities(snap, wave)
        text = [f"{r.name} ({r.national_code})<br>" + (
            t("overview.map.answered", lang, n=r.respondents) if r.responded
            else t("overview.map.notanswered", lang)) for r in df.itertuples()]
        return df["national_code"].tolist(), df["responded"].astype(int).tolist(), text
    df = data.regions(snap, wave)
    text = [f"{region_name(ctx, r.nuts2)} ({r.nuts2})<br>"
            + t("overview.map.share", lang, responded=r.responded, total=r.municipalities,
                share=f"{r.share:.0%}")
            for r in df.itertuples()]
    return df["nuts2"].tolist(), df["share"].fillna(0).tolist(), text


SOURCE = "overview"  # geo_files source: keys "nl" and "eu"


def geometry(ctx: AppContext, view: str) -> dict | None:
    """The map's GeoJSON per view (geo_files source): only ids and rounded coordinates (the
    hover texts are in the figure); None for an unknown view."""
    ref = ctx.settings.reference_dir
    if view == "nl":
        return geo.slim(ref, geo.NL_MUNICIPALITIES)
    if view == "eu":
        return geo.slim(ref, geo.NUTS_LEVEL.format(level=2))
    return None


# The same map for every visitor of a build, view, wave and language: made once (~20 ms of
# hover texts and plotly validation); the geometry is only its URL (geo_files). Room for every
# wave x view x language the master rehearses (5 waves: 20) and a second build: a smaller memo
# would drop what the rehearsal made (~30 KB each).
_MAPS = Lru(64)


def coverage_figure(ctx: AppContext, snap: Snapshot, view: str, wave: str, lang: str) -> dict:
    """Answered or not per Dutch municipality, or the share that answered per NUTS 2 region
    (a figure dict; shared between requests, so never changed in place)."""
    key = (snap.build_id, snap.visibility, snap.min_group, str(ctx.settings.reference_dir),
           view, wave, lang)
    return _MAPS.get(key, lambda: _coverage_figure(ctx, snap, view, wave, lang))


def _coverage_figure(ctx: AppContext, snap: Snapshot, view: str, wave: str, lang: str) -> dict:
    locations, z, text = map_values(ctx, snap, view, wave, lang)
    # the geometry by URL: the browser fetches it once (~300 KB less in every answer)
    geojson = geo_files.url(ctx, SOURCE, view, geometry(ctx, view))
    if view == "nl":
        return choropleth_map(
            geojson, locations, z, text, view="nl", zmin=0, zmax=1,
            colorbar_title="", colorscale=colours.YES_NO_SCALE, tickvals=[0.25, 0.75],
            ticktext=[t("overview.map.legend.no", lang), t("overview.map.legend.yes", lang)])
    return choropleth_map(
        geojson, locations, z, text, view="eu", zmin=0, zmax=1,
        colorbar_title=t("overview.map.legend.share", lang), tickvals=[0, 0.25, 0.5, 0.75, 1],
        ticktext=["0%", "25%", "50%", "75%", "100%"])


def map_caption(snap: Snapshot, view: str, wave: str, lang: str) -> str:
    """The map's text alternative."""
    if view == "nl":
        df = data.municipalities(snap, wave)
        return t("overview.map.caption.nl", lang, responded=int(df["responded"].sum()),
                 total=len(df), wave=wave)
    df = data.regions(snap, wave)
    return t("overview.map.caption.eu", lang, regions=int((df["responded"] > 0).sum()),
             total=len(df), wave=wave)
