"""The load test, 20 seconds: twenty users mixing page loads, callbacks and API requests against
gunicorn on loopback get no error (issue 16). The figures are printed, not asserted: speed is
measured by `benchmarks/load.py` (2 minutes on the EU demo), not here."""

from __future__ import annotations

import load
import load_mix


def test_twenty_users_for_twenty_seconds_get_no_error(nl_data_dir, capsys):
    result = load.run(nl_data_dir, users=20, seconds=20, say=lambda _msg: None)
    with capsys.disabled():
        print("\n" + result.text)
    assert result.error_count == 0, result.errors.most_common(10)
    # every kind of request was part of the run, so "no error" covers each of them
    assert {f.kind for f in result.figures if f.requests} == set(load_mix.KINDS)
