"""The DS4E toolkit web app. `server` is the WSGI entry point, served by gunicorn (`make run`,
gunicorn.conf.py); `python app.py` serves it with Flask's development server."""

from __future__ import annotations

from functools import cache

import dash
import dash_bootstrap_components as dbc  # noqa: F401  (registers the component suite)

from dashboard import api, bad_input, geo_files, security, shell, warmup
from dashboard.config import ROOT, Settings
from dashboard.context import AppContext
from dashboard.registry import PAGES

# Dash's default template has a bare <html>; screen readers need the language (WCAG 3.1.1).
INDEX = """<!DOCTYPE html>
<html lang="{lang}">
<head>{{%metas%}}<title>{{%title%}}</title>{{%favicon%}}{{%css%}}</head>
<body>{{%app_entry%}}<div class="dash-internals">{{%config%}}{{%scripts%}}{{%renderer%}}</div></body>
</html>"""


def create_app(settings: Settings | None = None) -> dash.Dash:
    settings = settings or Settings.from_env()
    ctx = AppContext.load(settings)
    app = dash.Dash(
        __name__,
        title="DS4E toolkit",
        assets_folder=str(ROOT / "assets"),
        suppress_callback_exceptions=True,  # page components appear only when routed to
        serve_locally=True,
        update_title=None,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    app.index_string = INDEX.format(lang=settings.lang)
    app.layout = shell.layout(ctx)
    shell.register(app, ctx)
    for page in PAGES:
        page.register(app, ctx)
    api.register(app.server, ctx)
    geo_files.register(app.server, ctx)  # map geometry files the figures name by URL
    bad_input.register(app.server)
    security.install(app, ctx)  # last: its CSP hashes the inline scripts registered above
    app.server.config["DS4E_CONTEXT"] = ctx
    return app


if __name__ == "__main__":
    settings = Settings.from_env()
    dev = create_app(settings)
    warmup.start_background(dev.server)  # gunicorn warms in its master instead
    dev.run(host=settings.host, port=settings.port, debug=settings.debug,
            request_handler=security.RequestHandler)  # no Server banner


@cache
def _default_app() -> dash.Dash:
    return create_app()


def __getattr__(name: str):
    # `from app import server` (gunicorn app:server) builds the app on first use, not at
    # import time, so importing create_app in tests reads no files.
    if name == "server":
        return _default_app().server
    raise AttributeError(name)
