"""Command line: python -m pipelines <command> [options]. Every command has --help."""

from __future__ import annotations

import os

# The build's disclosure step runs thousands of SVDs of small matrices: OpenBLAS's worker
# threads cost more than they give there (measured at EU scale: 170 s CPU with its default
# threads, 13 s with one), and they spin against DuckDB's. Set before numpy is first imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import sys
import time
from pathlib import Path

from tqdm import tqdm

from pipelines.staging import DataPaths
from pipelines.survey.cli import data_paths, state_dir
from pipelines.survey.waves import SurveyStore

ROOT = Path(__file__).resolve().parent.parent


def data_dir_default() -> Path:
    # The CLI reads DS4E_DATA_DIR like the app does, so tests and parallel runs can point it away.
    p = Path(os.environ.get("DS4E_DATA_DIR", "data"))
    return p if p.is_absolute() else ROOT / p


def state_dir_default() -> Path | None:
    # The survey's writable folder, read like the app reads it (dashboard/config.py); None: the
    # data folder. The coordinator's commands and the build must see the app's survey files.
    value = os.environ.get("DS4E_STATE_DIR", "")
    if not value:
        return None
    p = Path(value)
    return p if p.is_absolute() else ROOT / p


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


class Steps:
    """A progress bar over named steps of a long job (on stderr; plain lines when not a TTY)."""

    def __init__(self, total: int, desc: str):
        self.bar = tqdm(total=total, desc=desc, unit="step", file=sys.stderr,
                        bar_format="{desc}: {n_fmt}/{total_fmt} {bar} {postfix}",
                        disable=None)

    def __call__(self, label: str) -> None:
        self.bar.set_postfix_str(label)
        self.bar.update(1)
        if self.bar.disable:
            _say(f"  {label}")

    def close(self) -> None:
        self.bar.close()


# ------------------------------------------------------------------------------ commands


def cmd_demo(args) -> int:
    from pipelines.demo_stage import stage_demo

    started = time.perf_counter()
    paths = DataPaths(args.data_dir).ensure()
    steps = Steps(3, f"demo {args.scope}")
    staged, summary = stage_demo(paths, scope=args.scope, waves=args.waves, seed=args.seed,
                                 progress=steps)
    steps.close()
    print(f"demo data for scope {args.scope}: {summary['rows']:,} answers, "
          f"{summary['municipalities']:,} municipalities answered at least once, "
          f"waves {', '.join(summary['waves'])} "
          f"({time.perf_counter() - started:.1f} s)")
    if getattr(args, "publish_hint", True):
        print(f"staged as {staged.parquet.name} (demo); run `python -m pipelines build` to "
              "publish")
    return 0


def cmd_ingest(args) -> int:
    from pipelines.ingest import MappingError, ingest_files

    missing = [f for f in args.files if not Path(f).is_file()]
    if missing:
        _say("ingest: file not found: " + ", ".join(str(m) for m in missing))
        return 2
    try:
        report = ingest_files([Path(f) for f in args.files], data_paths(args),
                              fmt=args.format, mapping=args.mapping,
                              skip_invalid=args.skip_invalid,
                              rejected_out=Path(args.rejected_out) if args.rejected_out else None)
    except MappingError as exc:
        _say("ingest: the mapping cannot be used, nothing was read:\n" + "\n".join(
            f"  {p}" for p in exc.problems))
        return 2
    print(report.summary())
    return 0 if report.ok else 1


def cmd_build(args) -> int:
    from pipelines.build import MARTS, BuildError, build

    _ingest_survey_records(data_paths(args))
    steps = Steps(len(MARTS) + 4, "build")
    try:
        result = build(args.data_dir, min_group=args.min_group, progress=steps, force=args.force,
                       state_dir=getattr(args, "state_dir", None))
    except BuildError as exc:
        steps.close()
        _say(f"build: {exc}")
        return 1
    steps.close()
    m = result.manifest
    if not result.published:
        print(f"build {result.build_id} is already published and up to date; nothing to do")
        return 0
    counts = ", ".join(f"{k} {v:,}" for k, v in m["counts"].items())
    print(f"published build {result.build_id} ({'DEMO data' if m['demo'] else 'real data'}) "
          f"in {result.seconds:.1f} s: {counts}")
    return 0


def _ingest_survey_records(paths: DataPaths) -> None:
    """The build picks up in-app survey submissions that are not staged yet."""
    from pipelines.survey.pending import ingest_pending

    reports = ingest_pending(paths)
    if reports:
        bad = [r for r in reports if not r.ok]
        _say(f"staged {len(reports) - len(bad)} new survey submissions"
             + (f"; {len(bad)} rejected (see inbox/rejected/)" if bad else ""))


def cmd_status(args) -> int:
    from pipelines.build import current_build_id, read_manifest
    from pipelines.staging import staged_inputs

    paths = DataPaths(args.data_dir)
    build_id = current_build_id(paths)
    manifest = read_manifest(paths) if build_id else None
    print(f"data folder: {paths.root}")
    if not manifest:
        print("published: nothing yet (run `python -m pipelines demo` then `build`)")
    else:
        print(f"published: build {manifest['build_id']} at {manifest['built_at']}"
              f"{'  [DEMO DATA]' if manifest['demo'] else ''}")
        print(f"  framework {manifest['framework']['version']}, waves "
              f"{', '.join(manifest['waves'])}, min group {manifest['min_group']}")
        print("  " + ", ".join(f"{k} {v:,}" for k, v in manifest["counts"].items()))
    staged = staged_inputs(paths)
    published = {(i["sha256"], i.get("content_sha256", "")) for i in manifest["inputs"]} \
        if manifest else set()
    if staged:
        print("staged inputs (each with its latest import):")
    for s in staged:
        print("  " + staged_line(s, (s.sha256, s.content_sha256) in published))
    gone = {i["sha256"] for i in manifest["inputs"]} - {s.sha256 for s in staged} \
        if manifest else set()
    if manifest and (gone or any((s.sha256, s.content_sha256) not in published for s in staged)):
        print("staging differs from the published build: run `python -m pipelines build`")
    return 0


def cmd_export(args) -> int:
    from pipelines.build import read_manifest
    from pipelines.export import bundle_bytes, bundle_name
    from pipelines.staging import atomic_write_bytes

    paths = DataPaths(args.data_dir)
    manifest = read_manifest(paths)
    if not manifest:
        _say("export: nothing is published yet; run `python -m pipelines build` first")
        return 1
    min_group = args.min_group if args.min_group is not None else int(manifest["min_group"])
    if min_group < int(manifest["min_group"]):
        _say(f"export: --min-group {min_group} is below the build's {manifest['min_group']}: "
             "the build's disclosure pattern was made for the larger size")
        return 2
    out = args.output or Path(bundle_name(manifest["build_id"]))
    data = bundle_bytes(paths.builds / manifest["build_id"], manifest, min_group)
    atomic_write_bytes(out, data)
    print(f"wrote {out} ({len(data) / 1e6:.1f} MB): open data of build {manifest['build_id']}"
          f"{' [DEMO DATA]' if manifest['demo'] else ''}, minimum group {min_group}")
    return 0


def staged_line(s, built: bool) -> str:
    """'lime.csv (LimeSurvey, mapping lime.yaml): wave 2026, 390 rows of 10 respondents,
    imported 2026-12-06 10:12, replaced 1 earlier import; published' for `status`."""
    about = s.about
    how = [s.fmt] + ([f"mapping {about['mapping']}"] if about.get("mapping") else [])
    waves = about.get("waves") or []
    counts = f"{s.rows:,} rows"
    if about.get("respondents") and about.get("rows_read") is not None:
        counts += f" from {about.get('rows_good', 0):,} of {about['rows_read']:,} respondents"
    elif about.get("rows_read") is not None and about.get("rows_rejected"):
        counts += f" of {about['rows_read']:,}"
    if about.get("rows_rejected"):
        counts += f" ({about['rows_rejected']:,} left out: rejected rows)"
    parts = [("wave " if len(waves) == 1 else "waves ") + ", ".join(waves)] if waves else []
    parts += [counts, f"imported {s.staged_at.replace('T', ' ')[:16]}"]
    if s.history:
        n = len(s.history)
        parts.append(f"replaced {n} earlier import{'s' if n > 1 else ''}")
    state = "published" if built else "not yet built"
    return f"{s.name} ({s.kind}, {', '.join(how)}, sha256 {s.sha256[:12]}): " \
        f"{', '.join(parts)}; {state}"


def cmd_first_run(args) -> int:
    """What `make run` calls: demo data and a build, only when nothing is published yet."""
    from pipelines.build import current_build_id

    if current_build_id(DataPaths(args.data_dir)):
        _say(f"Published data found; the app starts at {app_url()}")
        return 0
    _say(f"No published data yet: generating demo data ({args.scope}) and building. "
         "This happens once.")
    rc = cmd_demo(argparse.Namespace(**{**vars(args), "publish_hint": False}))
    rc = rc or cmd_build(argparse.Namespace(data_dir=args.data_dir, min_group=5, force=False,
                                            state_dir=getattr(args, "state_dir", None)))
    if rc == 0 and not SurveyStore(state_dir(args)).waves():
        from pipelines.build import read_manifest
        from pipelines.survey.demo import open_demo_wave

        wave = read_manifest(DataPaths(args.data_dir))["waves"][-1]
        open_demo_wave(state_dir(args), wave)
        _say(f"A demo survey wave {wave} is open: try it from the Survey tab.")
    if rc == 0:
        _say(f"Demo data published; the app starts at {app_url()}")
    return rc


def app_url() -> str:
    """Where `make run` serves (HOST and PORT, as the app reads them)."""
    host, port = os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "8050")
    shown = "localhost" if host in ("0.0.0.0", "::", "") else host
    return f"http://{f'[{shown}]' if ':' in shown else shown}:{port}/"


def cmd_report(args) -> int:
    # the council report is the dashboard's read side on the published build (the API's
    # numbers); imported here only, so no other command needs the web stack (pyproject's
    # import contract names this one exception)
    from dashboard.report.cli import run

    return run(args)


def cmd_reference(args) -> int:
    from pipelines.reference import main as reference_main

    return reference_main([])


def cmd_funding(args) -> int:
    # The one command that answers from the published build as the API does: the web app's
    # module does the work (pyproject's import contract names this one exception).
    from dashboard.funding.cli import run

    return run(args, args.data_dir)


# ------------------------------------------------------------------------------ parser


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m pipelines",
                                description="DS4E data pipeline: demo data, ingest, build, status.")
    p.add_argument("--data-dir", type=Path, default=data_dir_default(),
                   help="data folder (default: $DS4E_DATA_DIR or data/)")
    p.add_argument("--state-dir", type=Path, default=state_dir_default(),
                   help="the survey's folder: waves, links, drafts, submissions (default: "
                        "$DS4E_STATE_DIR, else the data folder)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name, func, help_text, description=None):
        sp = sub.add_parser(name, help=help_text, description=description or help_text)
        sp.set_defaults(func=func)
        return sp

    d = add("demo", cmd_demo, "generate realistic demo survey answers and stage them",
            "Generate demo survey answers for real municipalities (marked as demo everywhere) "
            "and stage them; earlier demo data are replaced, real inputs stay.")
    d.add_argument("--scope", choices=("nl", "be", "eu"), default="nl",
                   help="which municipalities: nl (342), be (565) or eu (all ~98,600)")
    # up to 5: the EU x 5 waves demo is the benchmark's largest size (issue 20)
    d.add_argument("--waves", type=int, choices=range(1, 6), default=3, metavar="{1-5}",
                   help="survey waves, years ending in 2026 (1-5)")
    d.add_argument("--seed", type=int, default=42, help="random seed (same seed, same data)")

    i = add("ingest", cmd_ingest,
            "validate and stage survey files (canonical CSV/XLSX or survey-tool exports)",
            "Validate survey files and stage them. Besides the canonical long format, reads "
            "exports of LimeSurvey (CSV), Microsoft Forms (XLSX), KoboToolbox (CSV), Qualtrics "
            "(CSV) and a wide table (one row per respondent, one column per element id); "
            "--format auto detects which and says so. A tool export needs --mapping, a YAML "
            "file mapping questions to elements and answers to levels (documented, with an "
            "example per tool, in data/survey_mappings/). A file with any bad row is rejected "
            "whole (exit 1, nothing staged) unless --skip-invalid is given; errors name the "
            "file, row, column and reason. Incomplete responses are skipped and counted. "
            "Originals are kept in the inbox, never edited; names, e-mail and IP addresses of "
            "tool exports are never staged.")
    i.add_argument("files", nargs="+", help="CSV/TSV or XLSX files (canonical or tool exports)")
    i.add_argument("--format", choices=("auto", "canonical", "limesurvey", "msforms", "kobo",
                                        "qualtrics", "wide"), default="auto",
                   help="the files' format (default auto: detected per file from its headers)")
    i.add_argument("--mapping", type=Path, metavar="MAP.yaml",
                   help="mapping file for survey-tool exports (see data/survey_mappings/); "
                        "needed for limesurvey, msforms, kobo and qualtrics, optional for wide")
    i.add_argument("--skip-invalid", action="store_true",
                   help="stage the good rows and write the rejected ones with reasons to a CSV")
    i.add_argument("--rejected-out", help="where to write rejected rows (with --skip-invalid)")

    b = add("build", cmd_build, "build the marts from staged answers and publish atomically")
    b.add_argument("--min-group", type=int, default=5,
                   help="suppress aggregates over fewer municipalities than this (default 5)")
    b.add_argument("--force", action="store_true", help="rebuild even if nothing changed")

    add("status", cmd_status, "show what is published and from which inputs")

    x = add("export", cmd_export, "write the open-data bundle of the published build (zip)",
            "Write the open-data bundle of the published build: aggregates under the "
            "disclosure rule, levels and scores of the municipalities that consented, the "
            "framework and law profiles, the manifest, a data dictionary and the licences. "
            "The same build gives the same bytes.")
    x.add_argument("--output", type=Path, metavar="FILE.zip",
                   help="where to write it (default: ds4e-<build id>.zip here)")
    x.add_argument("--min-group", type=int, default=None,
                   help="minimum group size (default: the build's)")

    f = add("first-run", cmd_first_run,
            "generate demo data and build, only if nothing is published yet")
    f.add_argument("--scope", choices=("nl", "be", "eu"), default="eu")
    f.add_argument("--waves", type=int, default=3)
    f.add_argument("--seed", type=int, default=42)

    add("reference", cmd_reference, "rebuild data/reference/municipalities.parquet from sources")

    r = add("report", cmd_report, "write a municipality's council report (PDF or HTML)",
            "Write the one-page council report of a municipality and wave (PDF or HTML, "
            "Dutch or English) from the published build, with the dashboard's numbers; or, "
            "with --all --country XX, one per municipality that may be shown by name, with a "
            "progress bar.")
    r.add_argument("--municipality", metavar="ID", help="GISCO id, e.g. NL_GM0363")
    r.add_argument("--wave", help="survey wave (default: the latest the municipality answered)")
    r.add_argument("--lang", choices=("nl", "en"), default="nl", help="language (default nl)")
    r.add_argument("--output", required=True, metavar="FILE|DIR",
                   help="report.pdf or report.html; with --all a folder")
    r.add_argument("--all", action="store_true",
                   help="one report per municipality of --country that may be shown by name")
    r.add_argument("--country", help="with --all: the country (NL, BE, ...)")
    r.add_argument("--format", choices=("pdf", "html"), default="pdf",
                   help="with --all: file format (default pdf)")
    r.add_argument("--link", metavar="URL|TOKEN",
                   help="the municipality's own survey link: opens the report of a "
                        "municipality that did not consent to be shown by name")

    fu = add("funding", cmd_funding,
             "funding what-if on the published build (as POST /api/v1/insight/funding-what-if)",
             "What would a package of elements, funded to a target level in some "
             "municipalities, change: municipalities ready per law (legal duties and ambition), "
             "per region and size class, elements at level 3+, first-phase recommendations and "
             "the cost per municipality made ready. The same answer as the API.")
    from pipelines.maturity.funding import DEFAULT_COST, RULES

    fu.add_argument("--package", required=True, metavar="EL:LEVEL[:COST],...",
                    help="the package: elements with their target level and optionally the cost "
                         f"per municipality (EUR; default {DEFAULT_COST:g}, illustrative), "
                         "e.g. SEC-02:3,SEC-01:3")
    fu.add_argument("--compare", metavar="EL:LEVEL[:COST],...",
                    help="a second package to compare, funded under the same rule and reach")
    fu.add_argument("--reach", type=int, help="at most this many municipalities (that need it)")
    fu.add_argument("--budget", type=float, help="at most this much (EUR)")
    fu.add_argument("--rule", choices=RULES, default="leverage",
                    help="who first: leverage, readiness (least ready for --law), smallest, "
                         "below (every municipality below target)")
    fu.add_argument("--law", help="the law of the rule 'readiness' (e.g. NIS2)")
    fu.add_argument("--country", help="two-letter country code (default: the EU)")
    fu.add_argument("--nuts2", help="NUTS 2 region id")
    fu.add_argument("--size-class", help="size class key (lt5k, 5k-20k, ...)")
    fu.add_argument("--lang", choices=("en", "nl"), default="en")
    fu.add_argument("--format", choices=("json", "csv"), default="json")

    from pipelines.survey.cli import register as register_survey

    register_survey(sub, add)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
