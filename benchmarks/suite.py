"""`python -m benchmarks` (or `make bench`): issue 20's benchmark, at up to three sizes.

    .venv/bin/python -m benchmarks                          # nl, eu, eu5 (about an hour)
    .venv/bin/python -m benchmarks --sizes nl --calls 20    # a few minutes
    .venv/bin/python -m benchmarks --sizes nl --calls 5 --ci  # what CI runs

Per size: builds the demo or reuses it (sizes.py), measures the build again (wall, peak RSS of
the build process), starts the production server (gunicorn with gunicorn.conf.py, the
machine's default workers and threads, rate limits off: one client sends everything), reads
worker start times (fork to ready) and memory, measures the floor (p50 of a JSON 404), times
every JSON endpoint and every Dash callback with `--calls` varied calls each from one client
and then from four at once (http_timing.py), and runs the pandas baseline beside each hot path
(baseline.py). Writes benchmarks/results/<date>-<size>.json (figures, `goals` with target,
measured and met, growth against the sizes measured before) and prints the tables.

--ci: exit status 1 when any request erred or a pandas baseline was as fast as ours or gave
another answer; absolute times are never asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import figures
import http_timing as ht
import load_mix
import sizes

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"


def say(*args) -> None:
    print(*args, flush=True)


def machine() -> dict:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    cpu = platform.processor() or platform.machine()
    for line in Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []:
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem / 2**30, 1),
            "python": platform.python_version(), "system": platform.platform(terse=True)}


def commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, timeout=10).stdout.strip() or None
    except OSError:
        return None


# ------------------------------------------------------------------ the server


def serve(data_dir: Path, tmp: Path):
    """gunicorn as `make run` starts it, plus a hook recording each worker's fork-to-ready time
    (benchmarks/bench_memory.py's)."""
    import bench_memory

    args = SimpleNamespace(config=None, app_dir=ROOT, no_config=False, data_dir=data_dir,
                           threads=int(os.environ.get("DS4E_THREADS", 4)), preload=None)
    os.environ["DS4E_DATA_DIR"] = str(data_dir)
    workers = int(os.environ.get("DS4E_WORKERS", os.cpu_count() or 1))
    return bench_memory.start(args, workers, tmp), workers, args.threads


def server_figures(srv, workers: int, threads: int) -> dict:
    import bench_memory

    log = srv.log.read_text(encoding="utf-8", errors="replace") if srv.log else ""
    warmed = next((line.split("caches warmed in ")[1].split(" s")[0] for line in log.splitlines()
                   if "caches warmed in" in line), None)
    rehearsed = next((line.split("rehearsed in ")[1].split(" s")[0] for line in log.splitlines()
                      if "rehearsed in" in line), None)
    mem = {"master": bench_memory.memory(srv.master)}
    for i, w in enumerate(srv.workers()):
        mem[f"worker {i + 1}"] = bench_memory.memory(w)
    return {"workers": workers, "threads": threads, "start_to_ready_s": round(srv.ready_after, 2),
            "master_warm_up_s": float(warmed) if warmed else None,
            "master_rehearsal_s": float(rehearsed) if rehearsed else None,
            "boots": {str(k): v for k, v in srv.boots.items()},
            "memory_mb": {k: {f: round(x) for f, x in v.items()} for k, v in mem.items()}}


# ------------------------------------------------------------------ the pandas baseline


def pandas_baseline(data_dir: Path, calls: int | None) -> tuple[dict[str, dict], dict]:
    try:
        from benchmarks import baseline
    except ImportError as e:
        return {}, {"error": f"no pandas baseline: {e}"}
    paths, loads = baseline.hot_paths(data_dir)
    out = {}
    for hp in paths:
        n = min(hp.calls, calls) if calls else hp.calls
        row: dict = {"calls": n}
        try:
            for i in range(min(3, n)):
                hp.same(hp.ours(i), hp.pandas(i))
        except AssertionError as e:
            row["error"] = f"different answers: {e}"
            out[hp.name] = row
            continue
        ours, theirs = [], []
        for i in range(n):
            start = time.perf_counter()
            hp.ours(i)
            ours.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            hp.pandas(i)
            theirs.append((time.perf_counter() - start) * 1000)
        ours.sort()
        theirs.sort()
        row["ours_ms"] = round(ours[len(ours) // 2], 3)
        row["pandas_ms"] = round(theirs[len(theirs) // 2], 3)
        row["ratio"] = round(row["pandas_ms"] / max(row["ours_ms"], 1e-6), 1)
        out[hp.name] = row
    return out, {k: round(v, 2) for k, v in loads.items()}


# ------------------------------------------------------------------ one size


def measure(size: sizes.Size, work: Path, calls: int, page_calls: int, report_calls: int,
            floor_n: int, seed: int, build: bool, pandas_calls: int | None) -> dict:
    say(f"\n== {size.label}")
    data_dir, made = sizes.ensure(size, work, say)
    result: dict = {"size": size.key, "label": size.label, **made}
    if build:
        say("  measuring the build (build --force) ...")
        result["build"] = sizes.measure_build(data_dir, work, size.key)
        say(f"  build: {result['build']['wall_s']} s, peak RSS {result['build']['peak_rss_mb']} MB")
    with tempfile.TemporaryDirectory(prefix="ds4e-bench-") as tmp:
        say("  starting gunicorn ...")
        srv, workers, threads = serve(data_dir, Path(tmp))
        try:
            port = srv.port
            base = f"http://127.0.0.1:{port}"
            plan = load_mix.discover(base, seed=seed)
            ht.one_client(port, ht.floor_calls(50))  # connections and the 404 path warm
            floor = ht.one_client(port, ht.floor_calls(floor_n))
            say(f"  floor before the run: {figures.summarise(floor)['floor: JSON 404']['p50_ms']} ms")
            api = ht.api_calls(plan, ht.operations(port), calls, report_calls, seed)
            pages = ht.addresses(plan, page_calls, seed)
            say(f"  one client: {len(pages)} page visits, {len(api)} API calls ...")
            started = time.perf_counter()
            step = max(1, len(pages) // 10)
            walked, recorded = ht.walk_pages(port, plan, pages, lambda i, n: (
                say(f"    pages {i}/{n}") if i % step == 0 else None))
            one = walked + ht.one_client(port, ht.with_floor(api, 5))
            one_s = time.perf_counter() - started
            say(f"  four clients: {len(recorded) + len(api)} calls ...")
            four, four_s = ht.clients(port, recorded + api, 4, seed)
            after = ht.one_client(port, ht.floor_calls(floor_n))
            result["server"] = server_figures(srv, workers, threads)
        finally:
            import bench_memory
            bench_memory.stop(srv)
    # the floor: every 404 of the one-client run (before it, and between its calls)
    floor_ms = figures.summarise(floor + [s for s in one if s.group == "floor"])[
        "floor: JSON 404"]["p50_ms"]
    one = [s for s in one if s.group != "floor"]
    four = [s for s in four if s.group != "floor"]
    one_k = figures.with_ratios(figures.summarise(one), floor_ms)
    four_k = figures.with_ratios(figures.summarise(four), floor_ms)
    result.update({
        "floor_ms": floor_ms,
        "floor_after_ms": figures.summarise(after)["floor: JSON 404"]["p50_ms"],
        "calls_per_kind": calls, "page_visits_per_page": page_calls,
        "one_client_s": round(one_s, 1), "four_clients_s": round(four_s, 1),
        "one_client": one_k, "four_clients": four_k})
    say("  pandas baseline ...")
    result["pandas"], result["pandas_load_s"] = pandas_baseline(data_dir, pandas_calls)
    result["goals"] = figures.goals(size.key, one_k, four_k, result["server"],
                                    result.get("build"), result["pandas"])
    return result


def previous(size_key: str, results_dir: Path) -> dict | None:
    files = sorted(results_dir.glob(f"*-{size_key}.json"))
    return json.loads(files[-1].read_text()) if files else None


def print_result(r: dict) -> None:
    say(f"\n{r['label']}: floor {r['floor_ms']} ms (after the run {r['floor_after_ms']} ms); "
        f"one client {r['one_client_s']} s, four clients {r['four_clients_s']} s")
    s = r["server"]
    say(f"server: {s['workers']} workers x {s['threads']} threads, ready {s['start_to_ready_s']} s "
        f"after start (master warm-up {s['master_warm_up_s']} s, rehearsal "
        f"{s['master_rehearsal_s']} s), workers ready {sorted(s['boots'].values())} s after fork")
    say("memory MB: " + "; ".join(f"{k} RSS {v['rss']} USS {v['uss']} PSS {v['pss']}"
                                  for k, v in s["memory_mb"].items()))
    say(figures.kinds_table(r["one_client"], r["four_clients"]))
    if r["pandas"]:
        say(figures.table([[k, v.get("calls"), v.get("ours_ms", "-"), v.get("pandas_ms", "-"),
                            v.get("ratio", v.get("error", "-"))] for k, v in r["pandas"].items()],
                          ["hot path", "calls", "ours ms", "pandas ms", "x faster"]))
    say(figures.goals_table(r["goals"]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="nl,eu,eu5", help="comma-separated: nl, eu, eu5")
    ap.add_argument("--calls", type=int, default=200, help="varied calls per endpoint and callback")
    ap.add_argument("--page-calls", type=int,
                    help="varied visits per page, each firing the page's callbacks (default: --calls)")
    ap.add_argument("--report-calls", type=int, default=20, help="calls of the PDF/HTML reports")
    ap.add_argument("--floor-calls", type=int, default=300)
    ap.add_argument("--pandas-calls", type=int, help="cap on the baseline's calls per hot path")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "ds4e-bench",
                    help="where the demo builds live (reused when there)")
    ap.add_argument("--no-build", action="store_true", help="do not measure the build again")
    ap.add_argument("--results", type=Path, default=RESULTS)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--ci", action="store_true", help="exit 1 on an error or a pandas ratio < 1")
    a = ap.parse_args(argv)
    keys = [k.strip() for k in a.sizes.split(",") if k.strip()]
    unknown = [k for k in keys if k not in sizes.SIZES]
    if unknown:
        ap.error(f"unknown size {unknown[0]!r}: choose from {', '.join(sizes.SIZES)}")
    # smallest first, whatever order was asked: each size's growth is measured against the
    # smaller sizes' latest results (`--sizes eu,nl` ended in a growth of NL alone: empty)
    keys = [k for k in sizes.SIZES if k in keys]
    today = dt.date.today().isoformat()
    failures: list[str] = []
    done: dict[str, dict] = {}
    for key in keys:
        r = measure(sizes.SIZES[key], a.work, a.calls, a.page_calls or a.calls, a.report_calls,
                    a.floor_calls, a.seed, not a.no_build, a.pandas_calls)
        r.update({"date": today, "machine": machine(), "commit": commit(),
                  "server_kind": "gunicorn (gunicorn.conf.py)"})
        done[key] = r
        series = {k: done.get(k) or previous(k, a.results) for k in sizes.SIZES}
        series = {k: v for k, v in series.items() if v and list(sizes.SIZES).index(k)
                  <= list(sizes.SIZES).index(key)}
        r["growth"] = figures.growth(series) if len(series) > 1 else {}
        print_result(r)
        if not a.no_write:
            a.results.mkdir(parents=True, exist_ok=True)
            out = a.results / f"{today}-{key}.json"
            out.write_text(json.dumps(r, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            say(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
        failures += [f"{key}: {f}" for f in figures.ci_failures(r["one_client"], r["four_clients"],
                                                                 r["pandas"])]
    last = done[keys[-1]]
    if last["growth"]:
        say("\ngrowth (p95 ms, one client; build):")
        say(figures.table([[k, *v.values()] for k, v in last["growth"].items()],
                          ["", *next(iter(last["growth"].values())).keys()]))
    if failures:
        say("\nFAILED:\n  " + "\n  ".join(failures))
    return 1 if (a.ci and failures) else 0
