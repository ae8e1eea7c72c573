"""gunicorn's master rehearses every wave of the Overview and every map level of Maps (not only
the pages' defaults), so no visitor pays the first build of another wave's coverage tables or
another level's geometry (measured before, NL: the KPIs of another wave 76 ms against a p95 of
11; the Maps recolour of another level 112 against 17)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from dashboard import geo_files, rehearsal, warmup
from dashboard.config import Settings
from dashboard.views.maps import data as maps_data
from dashboard.views.overview import figures as ov_figures


def _query(address: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(address)
    return parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}


def test_default_addresses_hold_every_wave_and_level(nl_ctx):
    waves = nl_ctx.warehouse.snapshot().waves
    assert len(waves) == 2
    addresses = rehearsal.default_addresses(nl_ctx)
    assert addresses[:2] == ["/overview", "/profile"]  # every page first, as before
    assert not any(a.startswith("/survey") for a in addresses)
    queries = [_query(a) for a in addresses]
    overview = {(q["wave"], q["map"]) for p, q in queries if p == "/overview" and q}
    assert overview == {(w, v) for w in waves for v in ("eu", "nl")}
    maps = {(q["level"], q["wave"]) for p, q in queries if p == "/maps" and q}
    assert maps == {(lv, w) for lv in maps_data.LEVELS for w in waves}


def test_rehearsal_makes_every_wave_map_and_level_geometry(nl_data_dir):
    from app import create_app

    app = create_app(Settings.from_env({"DS4E_DATA_DIR": str(nl_data_dir)}))
    ctx = app.server.config["DS4E_CONTEXT"]
    snap = ctx.warehouse.snapshot()
    warmup.run(app.server)
    ov_figures._MAPS.clear()
    geo_files._FILES.clear()
    maps_data._CACHE.clear()
    extra = [a for a in rehearsal.default_addresses(ctx) if "?" in a]
    done = rehearsal.rehearse(app.server, pages=extra, api=False)
    assert done.failed == []
    ref = str(ctx.settings.reference_dir)
    for wave in snap.waves:
        for view in ("eu", "nl"):
            for lang in ("en", "nl"):  # the rehearsal walks both languages
                key = (snap.build_id, snap.visibility, snap.min_group, ref, view, wave, lang)
                assert key in ov_figures._MAPS._values, key
        assert ("cov", snap.build_id, wave) in maps_data._CACHE._values
    files = {k[1:] for k in geo_files._FILES._values if k[0] == ref}
    assert {("overview", "eu"), ("overview", "nl"), ("maps", "nuts2"), ("maps", "nuts3"),
            ("maps", "country-NL")} <= files


def test_memos_hold_what_the_rehearsal_makes_for_five_waves():
    """The rehearsal's work is kept only if the memos have room for it: the Overview's maps per
    wave x view x language, the Maps answers per level x wave x language (tables, context)."""
    from dashboard.views.maps import callbacks as maps_callbacks

    waves, views, langs = 5, 2, 2
    assert ov_figures._MAPS.size >= 2 * waves * views * langs  # and a second build's
    assert maps_callbacks._ANSWERS.size >= 2 * len(maps_data.LEVELS) * waves * langs
    assert maps_data._CACHE.size >= 2 * (len(maps_data.LEVELS) + 2 * waves)  # geometry, cov, agg
