"""The demo at the benchmark's three sizes, built or reused, and the build measured.

A size is a demo scope and a number of waves: NL (342 municipalities, 3 waves), EU (98,584, 3
waves) and EU x 5 waves. Each lives in its own folder under the work folder; a folder with a
published build is reused (the demo is not generated again), and the build is measured by
building it again with `--force` in a child process that reports its own peak RSS (VmHWM:
benchmarks/peak.py), so the figure is the build's and not this process's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Size:
    key: str
    scope: str
    waves: int
    label: str


SIZES = {
    "nl": Size("nl", "nl", 3, "NL (342 municipalities, 3 waves)"),
    "eu": Size("eu", "eu", 3, "EU (98,584 municipalities, 3 waves)"),
    "eu5": Size("eu5", "eu", 5, "EU x 5 waves"),
}


@dataclass(frozen=True)
class Run:
    """One child process: wall time, its own peak RSS, exit status and the last output lines."""

    wall_s: float
    peak_mb: float
    returncode: int
    tail: str

    def as_dict(self) -> dict:
        return {"wall_s": round(self.wall_s, 2), "peak_rss_mb": round(self.peak_mb),
                "ok": self.returncode == 0}


def measured(args: list[str], log: Path) -> Run:
    """Run `args`, returning its wall time and the peak RSS of that process alone."""
    log.parent.mkdir(parents=True, exist_ok=True)
    peak_file = log.with_suffix(".peak")
    peak_file.unlink(missing_ok=True)
    if args[1:2] == ["-m"]:  # the child writes its own peak (benchmarks/peak.py says why)
        args = [args[0], "-m", "benchmarks.peak", str(peak_file), *args[2:]]
    start = time.perf_counter()
    with log.open("wb") as fh:
        proc = subprocess.Popen(args, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-5:])
    kib = int(peak_file.read_text()) if peak_file.exists() else usage.ru_maxrss  # both KiB
    return Run(wall, kib / 1024, proc.returncode, tail)


def pipelines(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "pipelines", "--data-dir", str(data_dir), *args]


def published(data_dir: Path) -> bool:
    return (data_dir / "warehouse" / "CURRENT").exists()


def ensure(size: Size, work: Path, say=print) -> tuple[Path, dict]:
    """The size's data folder with a published build, and what making it measured (empty when
    it was reused). Raises RuntimeError when the demo or the build fails."""
    data_dir = work / size.key
    if published(data_dir):
        say(f"  reusing {data_dir}")
        return data_dir, {}
    say(f"  generating the demo ({size.label}) in {data_dir} ...")
    demo = measured(pipelines(data_dir, "demo", "--scope", size.scope, "--waves",
                              str(size.waves)), work / "logs" / f"{size.key}-demo.log")
    if demo.returncode:
        raise RuntimeError(f"demo for {size.key} failed:\n{demo.tail}")
    say("  building ...")
    first = measured(pipelines(data_dir, "build"), work / "logs" / f"{size.key}-build.log")
    if first.returncode:
        raise RuntimeError(f"build for {size.key} failed:\n{first.tail}")
    return data_dir, {"demo": demo.as_dict(), "first_build": first.as_dict()}


def measure_build(data_dir: Path, work: Path, key: str) -> dict:
    """Build the staged answers again (`--force`: same inputs, same published content)."""
    run = measured(pipelines(data_dir, "build", "--force"), work / "logs" / f"{key}-rebuild.log")
    if run.returncode:
        raise RuntimeError(f"build --force for {key} failed:\n{run.tail}")
    return run.as_dict()
