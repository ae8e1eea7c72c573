"""The README's Performance tables from the benchmark's result files (so the README shows a run,
not a hand copy of one).

    .venv/bin/python benchmarks/readme_tables.py benchmarks/results/2026-12-07-{nl,eu,eu5}.json

Prints Markdown: the goals of the last file's size, the JSON endpoints and the Dash callbacks
(p95 as a multiple of the floor, one and four clients), the downloads and reports, the pandas
ratios per size, and the growth from size to size.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def md(rows: list[list], header: list[str]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def fmt(v) -> str:
    if isinstance(v, float):
        if 0 < abs(v) < 0.1:  # a worker ready in 0.035 s is not "0.0"
            return f"{v:.2f}"
        return f"{v:,.1f}" if abs(v) < 1000 else f"{v:,.0f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def goals(r: dict) -> str:
    rows = [[name, fmt(g["target"]), fmt(g["measured"]), "yes" if g["met"] else "**no**",
             g.get("worst") or ""] for name, g in r["goals"].items()]
    return md(rows, ["goal", "target", "measured", "met", "worst"])


def kinds(r: dict, group: str) -> str:
    one, four = r["one_client"], r["four_clients"]
    rows = []
    for kind in sorted((k for k, v in one.items() if v["group"] == group),
                       key=lambda k: -one[k]["p95_x_floor"]):
        a, b = one[kind], four.get(kind, {})
        rows.append([kind.split(": ", 1)[1], a["n"] + b.get("n", 0), fmt(a["p50_ms"]),
                     fmt(a["p95_ms"]), fmt(a["p95_x_floor"]), fmt(b.get("p95_ms", "-")),
                     fmt(b.get("p95_x_floor", "-"))])
    return md(rows, ["", "calls", "p50 ms", "p95 ms", "p95 × floor", "p95 ms, 4 clients",
                     "× floor, 4 clients"])


def pandas(results: dict[str, dict]) -> str:
    names = list(next(iter(results.values()))["pandas"])
    rows = []
    for name in names:
        row = [name]
        for r in results.values():
            p = r["pandas"].get(name, {})
            row.append(f"{fmt(p.get('ours_ms', '-'))} / {fmt(p.get('pandas_ms', '-'))} = "
                       f"**{fmt(p.get('ratio', '-'))}×**")
        rows.append(row)
    return md(rows, ["hot path (median ms: ours / pandas = ratio)", *results])


def growth(results: dict[str, dict]) -> str:
    sizes = list(results)
    rows = [["floor ms", *(fmt(r["floor_ms"]) for r in results.values())]]
    for field, label in (("wall_s", "build wall s"), ("peak_rss_mb", "build peak RSS MB")):
        rows.append([label, *(fmt((r.get("build") or {}).get(field, "-")) for r in results.values())])
    common = set.intersection(*(set(r["one_client"]) for r in results.values()))
    for group in ("api", "callback"):
        vals = []
        for r in results.values():
            p95 = sorted(r["one_client"][k]["p95_ms"] for k in common
                         if r["one_client"][k]["group"] == group)
            vals.append(fmt(p95[len(p95) // 2]) if p95 else "-")
        rows.append([f"median p95 ms of the {group} kinds", *vals])
    first = results[sizes[0]]["one_client"]
    top = sorted((k for k in common if first[k]["group"] in ("api", "callback")),
                 key=lambda k: -results[sizes[-1]]["one_client"][k]["p95_ms"])[:8]
    for k in top:
        rows.append([f"p95 ms: {k}", *(fmt(r["one_client"][k]["p95_ms"]) for r in results.values())])
    return md(rows, ["", *sizes])


def main(paths: list[str]) -> None:
    results = {}
    for p in paths:
        r = json.loads(Path(p).read_text(encoding="utf-8"))
        results[r["size"]] = r
    last = list(results.values())[-1]
    m = last["machine"]
    print(f"Run of {last['date']} (commit {last['commit']}) on {m['cpu']}, {m['cores']} cores, "
          f"{m['memory_gb']} GB, Python {m['python']}; server {last['server_kind']}, "
          f"{last['server']['workers']} workers × {last['server']['threads']} threads.\n")
    for r in results.values():
        print(f"### {r['label']}: goals\n\n{goals(r)}\n")
    print(f"### JSON endpoints ({last['label']}, floor {last['floor_ms']} ms)\n\n{kinds(last, 'api')}\n")
    print(f"### Dash callbacks ({last['label']})\n\n{kinds(last, 'callback')}\n")
    for group, title in (("download", "Downloads"), ("report", "Reports")):
        if any(v["group"] == group for v in last["one_client"].values()):
            print(f"### {title} ({last['label']}; files, outside the JSON and callback goals)"
                  f"\n\n{kinds(last, group)}\n")
    print(f"### Pandas baseline\n\n{pandas(results)}\n")
    if len(results) > 1:
        print(f"### Growth\n\n{growth(results)}\n")


if __name__ == "__main__":
    main(sys.argv[1:])
