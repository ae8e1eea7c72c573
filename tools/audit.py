"""Known vulnerabilities in the installed dependencies: pip-audit with a documented allow-list.

    .venv/bin/python tools/audit.py              # make audit; CI runs it
    .venv/bin/python tools/audit.py -s osv       # extra arguments go to pip-audit

There is no lock file: pyproject.toml pins the direct dependencies, and pip resolves the rest
when `make` installs the venv. So what is audited is what is installed, exactly: `pip freeze
--all --exclude-editable` of this interpreter's environment (dev tools included; the project
itself, installed editable, is not on PyPI), checked with `pip-audit --no-deps --disable-pip`.
Every entry of audit-allowlist.toml becomes an `--ignore-vuln`; an entry must name the advisory,
the package and why it does not apply (see the file's header).

Outcomes and exit status:
  0  audited, nothing found (or only allow-listed advisories)
  1  a vulnerability that is not allow-listed, or a bad allow-list entry
  0  NOT AUDITED: the vulnerability service could not be reached or answered for no package;
     said loudly, because an audit that could not look is not a clean audit. Set
     DS4E_AUDIT_REQUIRED=1 (or pass --require) where the network allows it, so that this fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALLOWLIST = ROOT / "audit-allowlist.toml"


@dataclass(frozen=True)
class Entry:
    id: str
    package: str
    reason: str
    review: dt.date | None


def read_allowlist(path: Path, today: dt.date | None = None) -> tuple[list[Entry], list[str]]:
    """The entries and what is wrong with them (an entry without an id, package or reason, or
    past its review date, is an error: it would silence an advisory nobody vouches for)."""
    today = today or dt.date.today()
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    entries, problems = [], []
    for i, raw in enumerate(data.get("ignore", []), 1):
        where = f"{path.name} entry {i} ({raw.get('id', 'no id')})"
        missing = [k for k in ("id", "package", "reason") if not str(raw.get(k, "")).strip()]
        if missing:
            problems.append(f"{where}: needs {', '.join(missing)}")
            continue
        review = raw.get("review")
        if isinstance(review, str):
            try:
                review = dt.date.fromisoformat(review)
            except ValueError:
                problems.append(f"{where}: review must be a date (YYYY-MM-DD), got {review!r}")
                continue
        if review is not None and review < today:
            problems.append(f"{where}: review date {review} has passed: read the advisory again")
        entries.append(Entry(str(raw["id"]).strip(), str(raw["package"]).strip(),
                             str(raw["reason"]).strip(), review))
    unknown = set(data) - {"ignore"}
    if unknown:
        problems.append(f"{path.name}: unknown keys {sorted(unknown)} (entries are [[ignore]] tables)")
    return entries, problems


@dataclass
class Verdict:
    audited: int = 0
    findings: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    unreachable: str | None = None


def judge(report: dict | None, stderr: str) -> Verdict:
    """Read pip-audit's JSON report (None when it wrote none)."""
    if report is None:
        last = [line for line in stderr.strip().splitlines() if line.strip()][-1:] or ["no output"]
        return Verdict(unreachable=f"pip-audit gave no report: {last[0][:300]}")
    v = Verdict()
    for dep in report.get("dependencies", []):
        if "skip_reason" in dep:
            version = f" {dep['version']}" if dep.get("version") else ""
            v.skipped.append(f"{dep['name']}{version}: {dep['skip_reason']}")
            continue
        v.audited += 1
        for vuln in dep.get("vulns", []):
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            aliases = ", ".join(vuln.get("aliases") or [])
            v.findings.append(f"{dep['name']} {dep['version']}: {vuln['id']}"
                              f"{f' ({aliases})' if aliases else ''}; fixed in {fixed}")
    if v.audited == 0 and v.skipped:
        v.unreachable = (f"the vulnerability service answered for none of {len(v.skipped)} "
                         f"packages (first: {v.skipped[0]})")
    return v


def freeze() -> str:
    out = subprocess.run([sys.executable, "-m", "pip", "freeze", "--all", "--exclude-editable"],
                         capture_output=True, text=True, check=True).stdout
    # a package installed from a local path or URL has no version to look up
    return "\n".join(line for line in out.splitlines() if "==" in line) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--allowlist", type=Path, default=ALLOWLIST)
    ap.add_argument("--require", action="store_true",
                    default=os.environ.get("DS4E_AUDIT_REQUIRED") == "1",
                    help="fail when the vulnerability service cannot be reached")
    a, extra = ap.parse_known_args(argv)

    entries, problems = read_allowlist(a.allowlist)
    for p in problems:
        print(f"audit: {p}")
    with tempfile.TemporaryDirectory() as tmp:
        reqs = Path(tmp) / "installed.txt"
        reqs.write_text(freeze(), encoding="utf-8")
        cmd = [sys.executable, "-m", "pip_audit", "-r", str(reqs), "--no-deps", "--disable-pip",
               "-f", "json", "--aliases", "on", "--desc", "off", "--progress-spinner", "off",
               "--timeout", "30", *(f"--ignore-vuln={e.id}" for e in entries), *extra]
        done = subprocess.run(cmd, capture_output=True, text=True)
    try:
        report = json.loads(done.stdout) if done.stdout.strip() else None
    except json.JSONDecodeError:
        report = None
    v = judge(report, done.stderr)
    packages = v.audited + len(v.skipped)

    if v.unreachable:
        print(f"audit: NOT AUDITED: {v.unreachable}.")
        print("audit: pip-audit reads advisories from PyPI's JSON API "
              "(https://pypi.org/pypi/<name>/<version>/json, the default) or OSV "
              "(https://api.osv.dev, `-s osv`); from this machine that did not work.")
        if a.require:
            return 2
        print("audit: passing without an audit (set DS4E_AUDIT_REQUIRED=1 to fail instead).")
        return 1 if problems else 0
    for s in v.skipped:
        print(f"audit: not audited: {s}")
    for f in v.findings:
        print(f"audit: VULNERABLE: {f}")
    ignored = f", {len(entries)} advisories allow-listed" if entries else ""
    print(f"audit: {v.audited} of {packages} installed packages audited, "
          f"{len(v.findings)} known vulnerabilities{ignored}.")
    if v.findings:
        print("audit: upgrade the package (pyproject.toml pins), or, if the advisory does not apply, "
              f"add it to {a.allowlist.name} with the reason.")
    return 1 if v.findings or problems else 0


if __name__ == "__main__":
    sys.exit(main())
