"""Benchmark the in-app survey's data path and print the figures (not a test).

    .venv/bin/python benchmarks/bench_survey.py              # every EU municipality invited
    .venv/bin/python benchmarks/bench_survey.py --n 5000     # a smaller wave

On a temporary data folder: invite N municipalities (one link each), open links (what every
survey page load and every draft save does first), save drafts, submit from 50 threads at once,
stage the pending records, and compute the coordinator's progress table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.framework import load_framework
from pipelines.reference import MUNICIPALITIES_FILE, REFERENCE_DIR, load_municipalities
from pipelines.staging import DataPaths
from pipelines.survey import records
from pipelines.survey.pending import ingest_pending
from pipelines.survey.progress import municipality_status, rates, respondents
from pipelines.survey.sheet import parse_sheet
from pipelines.survey.waves import SurveyStore


def ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
    return f"p50 {statistics.median(values) * 1e3:.2f} ms, p95 {p95 * 1e3:.2f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=0, help="municipalities to invite (0 = all)")
    ap.add_argument("--submit", type=int, default=50, help="concurrent submissions")
    args = ap.parse_args()
    fw = load_framework()
    ref = load_municipalities(REFERENCE_DIR / MUNICIPALITIES_FILE)
    ids = ref["municipality_id"].tolist()[: args.n or None]
    sheet = parse_sheet({"answers": {e: {"level": i % 5} for i, e in enumerate(fw.element_ids)},
                         "consent": True}, fw.element_ids)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        store = SurveyStore(data)
        store.create_wave("bench", closes_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=30))
        t = time.perf_counter()
        links = store.invite("bench", ids)
        print(f"invite {len(links):,} municipalities: {time.perf_counter() - t:.2f} s, "
              f"invitations.csv {(store.wave_dir('bench') / 'invitations.csv').stat().st_size / 1e6:.1f} MB")

        fresh = SurveyStore(data)
        t = time.perf_counter()
        fresh.open_link(links[0].token)
        print(f"first open_link in a new process (reads the invitations): "
              f"{(time.perf_counter() - t) * 1e3:.0f} ms")
        opens = []
        for link in links[:: max(1, len(links) // 500)]:
            t = time.perf_counter()
            fresh.open_link(link.token)
            opens.append(time.perf_counter() - t)
        print(f"open_link (cached): {ms(opens)} over {len(opens)} links")

        saves = []
        for link in links[:200]:
            access = fresh.open_link(link.token)
            t = time.perf_counter()
            records.save_draft(fresh, access, sheet)
            saves.append(time.perf_counter() - t)
        print(f"save_draft (39 answers): {ms(saves)} over {len(saves)}")

        batch = links[200:200 + args.submit]

        def submit(link):  # one store per server process, as in the app (ctx.survey)
            return records.submit(fresh, fresh.open_link(link.token), sheet, fw.element_ids)

        t = time.perf_counter()
        with ThreadPoolExecutor(len(batch)) as pool:
            paths = list(pool.map(submit, batch))
        took = time.perf_counter() - t
        print(f"{len(paths)} submissions from {len(batch)} threads at once: {took:.2f} s "
              f"({len(paths) / took:.0f}/s), {len(set(paths))} distinct records")

        t = time.perf_counter()
        reports = ingest_pending(DataPaths(data), framework=fw)
        took = time.perf_counter() - t
        print(f"ingest_pending: {len(reports)} records staged in {took:.2f} s "
              f"({took / max(len(reports), 1) * 1e3:.0f} ms per record)")

        t = time.perf_counter()
        status = municipality_status(respondents(fresh, "bench"), ref)
        by_country = rates(status, "country")
        print(f"coordinator progress ({len(status):,} municipalities, {len(by_country)} "
              f"countries): {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
