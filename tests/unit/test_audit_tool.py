"""tools/audit.py (make audit): the allow-list's rule and how pip-audit's report is judged."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("audit_tool", ROOT / "tools" / "audit.py")
audit = importlib.util.module_from_spec(_spec)
sys.modules["audit_tool"] = audit  # dataclasses look their module up while the file runs
_spec.loader.exec_module(audit)

TODAY = dt.date(2027, 1, 1)


def allowlist(tmp_path, text: str):
    path = tmp_path / "audit-allowlist.toml"
    path.write_text(text, encoding="utf-8")
    return audit.read_allowlist(path, today=TODAY)


def test_the_repository_allowlist_is_valid():
    entries, problems = audit.read_allowlist(audit.ALLOWLIST)
    assert problems == []
    assert all(e.reason for e in entries)


def test_an_entry_names_the_advisory_the_package_and_why(tmp_path):
    entries, problems = allowlist(tmp_path, """
[[ignore]]
id = "GHSA-aaaa-bbbb-cccc"
package = "lib"
reason = "Only lib.parse_untrusted() is affected; the app never calls it."
review = "2027-06-30"
""")
    assert problems == [] and [e.id for e in entries] == ["GHSA-aaaa-bbbb-cccc"]


def test_an_entry_without_a_reason_or_past_its_review_is_refused(tmp_path):
    _, problems = allowlist(tmp_path, """
[[ignore]]
id = "PYSEC-2020-1"
package = "lib"
reason = "  "

[[ignore]]
id = "PYSEC-2020-2"
package = "lib"
reason = "Not reachable: we never parse untrusted input with it."
review = 2026-12-31
""")
    assert len(problems) == 2
    assert "needs reason" in problems[0] and "PYSEC-2020-1" in problems[0]
    assert "review date 2026-12-31 has passed" in problems[1]


def test_a_vulnerability_is_a_finding():
    v = audit.judge({"dependencies": [
        {"name": "jinja2", "version": "2.10", "vulns": [
            {"id": "PYSEC-2019-217", "fix_versions": ["2.10.1"], "aliases": ["CVE-2019-10906"]}]},
        {"name": "flask", "version": "3.1.3", "vulns": []}]}, "")
    assert v.unreachable is None and v.audited == 2
    assert v.findings == ["jinja2 2.10: PYSEC-2019-217 (CVE-2019-10906); fixed in 2.10.1"]


def test_an_audit_that_could_not_look_is_not_clean():
    """Every package skipped (the service answered for none), or no report at all, is 'not
    audited', never 'no known vulnerabilities'."""
    skipped = audit.judge({"dependencies": [
        {"name": "flask", "skip_reason": "Dependency not found on PyPI and could not be audited"},
        {"name": "dash", "skip_reason": "Dependency not found on PyPI and could not be audited"}]}, "")
    assert skipped.unreachable and "none of 2 packages" in skipped.unreachable
    crashed = audit.judge(None, "Traceback ...\nrequests.exceptions.ConnectionError: api.osv.dev\n")
    assert crashed.unreachable and "ConnectionError" in crashed.unreachable
