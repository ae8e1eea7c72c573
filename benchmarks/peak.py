"""`python -m benchmarks.peak OUT MODULE ARGS...`: run MODULE as `python -m MODULE ARGS...` would,
then write this process's own peak RSS (VmHWM, KiB) to OUT.

Why not the kernel's rusage of the child (os.wait4): a child started by vfork + exec from a
large parent inherits the parent's high-water mark (Linux carries the old address space's
peak over execve into ru_maxrss), so a build measured after the EU pandas baseline showed 1.9 GB
for a Dutch build that peaks at 0.47 GB. VmHWM belongs to the new address space alone.
"""

from __future__ import annotations

import atexit
import runpy
import sys
from pathlib import Path


def high_water_kib() -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:  # no /proc: the caller falls back to rusage
        return None
    return None


def main() -> None:
    out, module, *rest = sys.argv[1:]

    def write() -> None:
        kib = high_water_kib()
        if kib is not None:
            Path(out).write_text(str(kib), encoding="ascii")

    atexit.register(write)
    sys.argv = [module, *rest]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
