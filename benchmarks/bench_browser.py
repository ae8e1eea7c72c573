"""What a user waits for in the browser: time until the answer is on screen, and the main
thread's long tasks, for the views that once froze the browser.

    .venv/bin/python benchmarks/bench_browser.py --data-dir /tmp/eu   # an EU demo build
    .venv/bin/python benchmarks/bench_browser.py                      # builds the NL demo first

Serves the app in a thread (DS4E_VISIBILITY=open) and drives Debian's Chromium headless on the
same 2 cores. Measured per view: the first render from navigation to the sentence on screen,
then a change of municipality from the keypress to the new sentence, with the long tasks
(> 50 ms) the browser reported meanwhile. Server-side callback times are in bench_callbacks.py.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from screens import CHROMIUM, FLAGS, _demo, _published, _serve  # noqa: E402

CHANGES = (("Utrecht", "NL_GM0344"), ("Enschede", "NL_GM0153"), ("Maastricht", "NL_GM0935"),
           ("Groningen", "NL_GM0014"), ("Amsterdam", "NL_GM0363"))
SUMMARY = "#legislation-mun-summary"
OBSERVE = ("() => { window.__lt = []; new PerformanceObserver(l => l.getEntries().forEach("
           "e => window.__lt.push(e.duration))).observe({type: 'longtask', buffered: false}); }")


def _has(page, selector: str, words: str, timeout: int = 120_000) -> None:
    page.wait_for_function(
        f"() => (document.querySelector('{selector}') || {{}}).textContent?.includes('{words}')",
        timeout=timeout)


def run(base: str) -> dict:
    from playwright.sync_api import sync_playwright

    out: dict[str, list[float]] = {"first": [], "change": [], "long_max": [], "long_sum": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(base + "/")  # warm the server's caches once; not measured
        for view, check in (("aggregate", ("#legislation-agg-bar-caption", "%")),
                            ("municipality", (SUMMARY, "Groningen"))):
            query = "?view=municipality&m=NL_GM0014" if view == "municipality" else "?country=NL"
            page.goto(base + "/legislation" + query)
            _has(page, *check)
        for _ in range(3):
            t0 = time.perf_counter()
            page.goto(base + "/legislation?view=municipality&m=NL_GM0014")
            _has(page, SUMMARY, "Groningen")
            out["first"].append(time.perf_counter() - t0)
        page.evaluate(OBSERVE)
        for name, _code in CHANGES:
            page.locator("#legislation-municipality").click()
            page.locator("input.dash-dropdown-search").first.fill(name)
            option = page.get_by_role("option", name=re.compile(rf"^{name} \(NL")).first
            option.wait_for(timeout=30_000)
            page.evaluate("() => { window.__lt = []; }")
            t0 = time.perf_counter()
            option.click()
            _has(page, SUMMARY, name)
            out["change"].append(time.perf_counter() - t0)
            page.wait_for_timeout(300)
            tasks = page.evaluate("() => window.__lt")
            out["long_max"].append(max(tasks, default=0.0))
            out["long_sum"].append(sum(tasks))
        browser.close()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", type=Path, default=None)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        data = args.data_dir if args.data_dir and _published(args.data_dir) else _demo(Path(tmp))
        srv = _serve(data)
        try:
            r = run(f"http://127.0.0.1:{srv.server_port}")
        finally:
            srv.shutdown()
    med = statistics.median
    print(f"data: {data}")
    print(f"legislation, municipality view, first render: median {med(r['first']):.2f} s "
          f"(max {max(r['first']):.2f} s over {len(r['first'])})")
    print(f"legislation, change of municipality: median {med(r['change']):.2f} s, "
          f"max {max(r['change']):.2f} s over {len(r['change'])}")
    print(f"  main-thread long tasks per change: longest median {med(r['long_max']):.0f} ms, "
          f"total median {med(r['long_sum']):.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
