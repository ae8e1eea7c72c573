"""Screenshots of every page at phone, laptop and desktop widths, in Dutch and English, for a
person to look at before a release (`make screens`).

    python tools/screens.py [--data-dir DIR] [--out DIR] [--widths 390,1366,1440,1920]
                            [--lang nl,en] [--only legislation,survey]

Serves the app on a free local port (Werkzeug in a thread, as the browser tests do) and drives
Debian's Chromium through Playwright. Without --data-dir it uses $DS4E_DATA_DIR or data/; when
nothing is published there it builds the Dutch demo into a temporary folder first. Every page is
visited with the URL state a user would share (a municipality, a country, a draft law), so the
screenshots show data, not empty states; the survey pages use the demo wave's links.
Prints one line per screenshot and the pages that logged console errors.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--disable-quic"]
WIDTHS = (390, 1366, 1440, 1920)
MUNICIPALITY = "NL_GM0014"  # Groningen: a large Dutch municipality with answers in the demo


# states reached by a click after the page is ready: name -> (button, what is there after the
# click, the element to photograph instead of the whole page)
CARD = "xpath=ancestor::div[contains(concat(' ', @class, ' '), ' card ')]"
CLICKS = {"policy-funding": ("#policy-funding-run", "#policy-funding-result-words-0",
                             f"#policy-funding-title >> {CARD}")}


def pages(coordinator: str | None, respondent: str | None) -> list[tuple[str, str, str]]:
    """(name, path, a selector that is there once the page has its data); a name in CLICKS
    also clicks and waits (and photographs one element)."""
    out = [
        ("overview", "/", "#overview-kpis, .kpi"),
        ("profile", f"/profile?m={MUNICIPALITY}", "#profile-radar .main-svg"),
        ("heatmap", "/heatmap?country=NL", "#heatmap-graph .main-svg"),
        ("maps", "/maps", ".main-svg"),
        ("roadmap", f"/roadmap?m={MUNICIPALITY}", ".rm-step"),
        ("policy", "/policy?country=NL", "#policy-lobby table"),
        ("policy-funding", "/policy?country=NL", "#policy-funding-run"),
        ("legislation", "/legislation?country=NL", "#legislation-agg-law-table table"),
        ("legislation-municipality", f"/legislation?view=municipality&m={MUNICIPALITY}",
         "#legislation-mun-summary"),
        ("legislation-draft", "/legislation?view=draft&draft=SEC-01:3:2028-01-01::required",
         "#legislation-draft-headline"),
        ("knowledge", "/knowledge?element=SEC-01", ".level-list"),
        ("survey-intro", "/survey", "h1"),
    ]
    if respondent:
        out.append(("survey-form", f"/survey?token={respondent}", ".survey-levels"))
    if coordinator:
        out.append(("survey-progress", f"/survey/progress?token={coordinator}", "table"))
    return out


def _wait_for_maps(page) -> None:
    """MapLibre draws after plotly has answered (tiles-free style, shapes on a WebGL canvas, and
    geometry possibly fetched by URL): wait for the network to settle and the map to report it
    has loaded, so a screenshot does not catch an empty canvas."""
    # settle first: on the first page of a run the map's canvas may not exist yet, and a check
    # for it before that returned early and photographed an empty card
    with contextlib.suppress(Exception):
        page.wait_for_load_state("networkidle", timeout=15_000)
    if not page.locator(".maplibregl-canvas, .mapboxgl-canvas").count():
        return
    # a screenshot of a slow map is still worth taking
    with contextlib.suppress(Exception):
        page.wait_for_function(
            """() => [...document.querySelectorAll('.js-plotly-plot')].every(gd => {
                   const sub = gd._fullLayout && (gd._fullLayout.map || gd._fullLayout.mapbox);
                   const m = sub && sub._subplot && sub._subplot.map;
                   return !m || (m.loaded() && m.areTilesLoaded());
               })""", timeout=15_000)
    page.wait_for_timeout(800)


def _published(data_dir: Path) -> bool:
    from pipelines.build import current_build_id
    from pipelines.staging import DataPaths

    return current_build_id(DataPaths(data_dir)) is not None


def _demo(tmp: Path) -> Path:
    from pipelines.__main__ import main

    data = tmp / "data"
    print(f"nothing published: building the Dutch demo in {data}", flush=True)
    if main(["--data-dir", str(data), "first-run", "--scope", "nl", "--waves", "2"]) != 0:
        raise SystemExit("could not build the demo data")
    return data


def _serve(data_dir: Path):
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise

    from app import create_app
    from dashboard.config import Settings

    settings = Settings.from_env({"DS4E_DATA_DIR": str(data_dir), "DS4E_VISIBILITY": "open"})
    srv = make_server("127.0.0.1", 0, create_app(settings).server, threaded=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", type=Path,
                   default=Path(os.environ.get("DS4E_DATA_DIR", ROOT / "data")))
    p.add_argument("--out", type=Path, default=Path(os.environ.get("SHOT_DIR", "/tmp/ds4e-screens")))
    p.add_argument("--widths", default=",".join(map(str, WIDTHS)))
    p.add_argument("--lang", default="nl,en")
    p.add_argument("--only", default="", help="comma-separated page names")
    args = p.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from pipelines.survey.demo import demo_links

    with tempfile.TemporaryDirectory() as tmp:
        data = args.data_dir if _published(args.data_dir) else _demo(Path(tmp))
        links = demo_links(data) or {}
        respondent = next((x["token"] for x in links.get("links", [])), None)
        todo = pages(links.get("coordinator_token"), respondent)
        if args.only:
            keep = set(args.only.split(","))
            todo = [x for x in todo if x[0] in keep]
        srv = _serve(data)
        base = f"http://127.0.0.1:{srv.server_port}"
        args.out.mkdir(parents=True, exist_ok=True)
        troubled: dict[str, list[str]] = {}
        started = time.time()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            for lang in args.lang.split(","):
                for width in (int(w) for w in args.widths.split(",")):
                    context = browser.new_context(viewport={"width": width, "height": 900})
                    page = context.new_page()
                    errors: list[str] = []
                    page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
                    page.on("console", lambda m, errors=errors: errors.append(m.text)
                            if m.type == "error" else None)
                    page.goto(base + "/")
                    page.wait_for_selector("#lang", timeout=30_000)
                    page.locator(f"#lang label:has-text('{lang.upper()}')").click()
                    page.wait_for_timeout(500)
                    for name, path, ready in todo:
                        errors.clear()
                        page.goto(base + path)
                        try:
                            page.wait_for_selector(ready, timeout=60_000)
                        except Exception:
                            errors.append(f"not ready: {ready}")
                        page.wait_for_timeout(1200)  # charts finish their transitions
                        _wait_for_maps(page)
                        shot = args.out / f"{name}-{lang}-{width}.png"
                        if name in CLICKS:
                            button, after, element = CLICKS[name]
                            try:
                                page.locator(button).click()
                                page.wait_for_selector(after, timeout=60_000)
                                page.wait_for_timeout(300)
                                page.locator(element).screenshot(path=str(shot))
                            except Exception as e:
                                errors.append(f"not reached: {after} ({type(e).__name__})")
                        else:
                            page.screenshot(path=str(shot), full_page=True)
                        print(f"{shot}  {'; '.join(errors[:2])}", flush=True)
                        if errors:
                            troubled[shot.name] = list(errors)
                    context.close()
            browser.close()
        srv.shutdown()
    print(f"{len(todo) * len(args.lang.split(',')) * len(args.widths.split(','))} screenshots "
          f"in {time.time() - started:.0f} s in {args.out}")
    for name, errs in troubled.items():
        print(f"  {name}: {errs[:3]}")
    return 1 if troubled else 0


if __name__ == "__main__":
    sys.exit(main())
