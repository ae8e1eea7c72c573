"""A corrected re-import always publishes: staging reflects what the user last imported.

The two stories of issue 14, end to end through the CLI (import -> build -> fix -> import ->
build -> the published data show the fix), and the rules behind them: same result = already
staged with true counts; another result replaces the earlier import (kept under
staging/replaced/); a good file in a rejected batch leaves staging alone and says what stays;
the build id follows the staged content; a crash while replacing never loses the old import.
"""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest

from pipelines import staging as staging_mod
from pipelines.__main__ import main
from pipelines.build import build_id_for, current_build_id, read_manifest
from pipelines.staging import DataPaths, stage_input, staged_inputs

TOWNS = ["GM0363", "GM0599", "GM0518", "GM0344", "GM0014", "GM0153", "GM0034", "GM0307",
         "GM0200", "GM0202"]
HEADER = ["id", "submitdate", "lastpage", "startlanguage", "GEMEENTE", "ROL", "STR01", "STR02",
          "GOV04", "SEC01", "TOESTEMMING"]


def export(path, unknown_option_rows: int = 0):
    """A LimeSurvey export of 10 respondents (one per town, submitted in March 2026); the first
    `unknown_option_rows` answer SEC01 with option A5, which the first mapping lacks."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_ALL)
        w.writerow(HEADER)
        for i, town in enumerate(TOWNS):
            sec = "A5" if i < unknown_option_rows else "A2"
            w.writerow([str(20 + i), f"2026-03-{10 + i:02d} 10:00:00", "5", "nl", town, "A1",
                        "A3", "A2", "A1", sec, "Y"])
    return path


def mapping(path, wave: str, with_a5: bool = False):
    answers = "{A0: 0, A1: 1, A2: 2, A3: 3, A4: 4, AX: dont_know" + (", A5: 4}" if with_a5
                                                                     else "}")
    path.write_text(f"""tool: limesurvey
wave: "{wave}"
municipality: GEMEENTE
country: NL
respondent_role:
  column: ROL
  answers: {{A1: cio}}
publish_consent: TOESTEMMING
answers: {answers}
questions:
  STR-01: STR01
  STR-02: STR02
  GOV-04: GOV04
  SEC-01: SEC01
""", encoding="utf-8")
    return path


def run(capsys, *args) -> tuple[int, str]:
    rc = main(list(args))
    out = capsys.readouterr()
    return rc, out.out + out.err


def published_levels(data) -> pd.DataFrame:
    build = read_manifest(DataPaths(data))["build_id"]
    return pd.read_parquet(data / "warehouse" / "builds" / build / "levels.parquet")


def test_a_corrected_wave_is_published_without_force(tmp_path, capsys):
    """Story 1: the mapping said wave 2025, the survey was 2026. Fix the mapping, import the same
    export again: it replaces the earlier import and says so; `build` publishes the fix."""
    data = tmp_path / "data"
    exp = export(tmp_path / "survey_2026.csv")
    lime = mapping(tmp_path / "lime.yaml", "2025")
    rc, out = run(capsys, "--data-dir", str(data), "ingest", "--mapping", str(lime), str(exp))
    assert rc == 0 and "staged, 10 of 10 rows" in out
    assert run(capsys, "--data-dir", str(data), "build")[0] == 0
    first = current_build_id(DataPaths(data))
    assert set(published_levels(data)["wave"].astype(str)) == {"2025"}

    mapping(lime, "2026")
    rc, out = run(capsys, "--data-dir", str(data), "ingest", "--mapping", str(lime), str(exp))
    assert rc == 0
    assert "staged, 10 of 10 rows" in out
    assert "replaces the import of " in out and "wave 2025 → 2026" in out
    assert "mapping lime.yaml" in out
    rc, out = run(capsys, "--data-dir", str(data), "status")
    assert "wave 2026" in out and "not yet built" in out and "replaced 1 earlier import" in out
    assert "staging differs from the published build" in out

    rc, out = run(capsys, "--data-dir", str(data), "build")
    assert rc == 0 and "published build" in out and "up to date" not in out
    assert current_build_id(DataPaths(data)) != first
    assert set(published_levels(data)["wave"].astype(str)) == {"2026"}
    # nothing lost: the export stays in the inbox, the replaced rows under staging/replaced/
    assert any(p.name.endswith("survey_2026.csv") for p in (data / "inbox").iterdir())
    (old,) = (data / "staging" / "replaced").glob("*.parquet")
    assert set(pd.read_parquet(old)["wave"].astype(str)) == {"2025"}
    rc, out = run(capsys, "--data-dir", str(data), "status")
    assert "published" in out and "staging differs" not in out


def test_skip_invalid_gaps_are_filled_by_the_corrected_import(tmp_path, capsys):
    """Story 2: an option the mapping lacked rejected 7 of 10 respondents under --skip-invalid;
    the corrected mapping stages all 10, the counts printed are the true ones, and the
    published data show 10 municipalities."""
    data = tmp_path / "data"
    exp = export(tmp_path / "survey.csv", unknown_option_rows=7)
    lime = mapping(tmp_path / "lime.yaml", "2026")
    rc, out = run(capsys, "--data-dir", str(data), "ingest", "--skip-invalid", "--mapping",
                  str(lime), str(exp))
    assert rc == 0 and "staged 3 of 10 rows" in out and "7 rows rejected" in out
    rc, out = run(capsys, "--data-dir", str(data), "status")
    assert "from 3 of 10 respondents" in out and "7 left out" in out
    assert run(capsys, "--data-dir", str(data), "build")[0] == 0
    assert published_levels(data)["municipality_id"].nunique() == 3

    # the same import again: already staged, and it says 3 of 10, not 10 of 10
    rc, out = run(capsys, "--data-dir", str(data), "ingest", "--skip-invalid", "--mapping",
                  str(lime), str(exp))
    assert "3 of 10 rows" in out and "10 of 10" not in out and "replaces" not in out

    mapping(lime, "2026", with_a5=True)
    rc, out = run(capsys, "--data-dir", str(data), "ingest", "--mapping", str(lime), str(exp))
    assert rc == 0 and "staged, 10 of 10 rows" in out and "replaces the import of" in out
    assert "12 → 40 rows" in out  # answers: 3 x 4 before, 10 x 4 now
    rc, out = run(capsys, "--data-dir", str(data), "build")
    assert rc == 0 and "up to date" not in out
    assert published_levels(data)["municipality_id"].nunique() == 10


def test_the_same_import_twice_is_already_staged_and_builds_nothing_new(tmp_path, capsys):
    data = tmp_path / "data"
    exp = export(tmp_path / "survey.csv")
    lime = mapping(tmp_path / "lime.yaml", "2026")
    args = ("--data-dir", str(data), "ingest", "--mapping", str(lime), str(exp))
    assert run(capsys, *args)[0] == 0
    assert run(capsys, "--data-dir", str(data), "build")[0] == 0
    rc, out = run(capsys, *args)
    assert rc == 0 and "already staged, 10 of 10 rows" in out and "replaces" not in out
    rc, out = run(capsys, "--data-dir", str(data), "build")
    assert "already published and up to date" in out
    assert not (data / "staging" / "replaced").exists()


def test_a_good_file_in_a_rejected_batch_leaves_the_earlier_import_staged(tmp_path, capsys):
    data = tmp_path / "data"
    exp = export(tmp_path / "survey.csv")
    lime = mapping(tmp_path / "lime.yaml", "2025")
    assert run(capsys, "--data-dir", str(data), "ingest", "--mapping", str(lime), str(exp))[0] == 0
    before = {p.name: p.read_bytes() for p in (data / "staging").glob("*")}
    broken = export(tmp_path / "broken.csv", unknown_option_rows=2)
    mapping(lime, "2026")
    rc, out = run(capsys, "--data-dir", str(data), "ingest", "--mapping", str(lime), str(exp),
                  str(broken))
    assert rc == 1
    assert "survey.csv" in out and "not staged" in out and "stays staged" in out
    assert "wave 2025" in out
    assert {p.name: p.read_bytes() for p in (data / "staging").glob("*")} == before


def test_the_build_id_follows_what_is_staged(tmp_path):
    paths = DataPaths(tmp_path)
    base = {"sha256": "a" * 64, "content_sha256": "b" * 64}

    class Fw:
        checksum = "fw"
    one = build_id_for([base], Fw, "ref", 5)
    assert build_id_for([dict(base)], Fw, "ref", 5) == one
    assert build_id_for([{**base, "content_sha256": "c" * 64}], Fw, "ref", 5) != one
    assert paths.root == tmp_path


def _rows(wave: str) -> pd.DataFrame:
    return pd.DataFrame({
        "municipality_id": ["NL_GM0363"], "wave": [wave], "element_id": ["STR-01"],
        "level": [3], "respondent_id": ["r1"], "respondent_role": ["cio"],
        "submitted_at": [pd.Timestamp("2026-03-10T10:00:00Z")], "confidence": [None],
        "evidence": [None], "country": [None], "publish_consent": [None]})


def test_a_crash_while_replacing_keeps_the_earlier_import(tmp_path, monkeypatch):
    """The new rows are written under their own name and the marker is swapped atomically:
    a crash before the swap leaves the earlier import staged and readable."""
    paths = DataPaths(tmp_path)
    first = stage_input(_rows("2025"), sha="f" * 64, name="x.csv", kind="real", fmt="csv",
                        paths=paths).input

    def crash(*_a, **_k):
        raise OSError("disk full")
    monkeypatch.setattr(staging_mod, "atomic_write_bytes", crash)
    with pytest.raises(OSError):
        stage_input(_rows("2026"), sha="f" * 64, name="x.csv", kind="real", fmt="csv",
                    paths=paths)
    monkeypatch.undo()
    (now,) = staged_inputs(paths)
    assert now.content_sha256 == first.content_sha256 and now.parquet.exists()
    assert set(pd.read_parquet(now.parquet)["wave"]) == {"2025"}
    # the next import goes through, and the leftover of the crashed one is not staged
    again = stage_input(_rows("2026"), sha="f" * 64, name="x.csv", kind="real", fmt="csv",
                        paths=paths)
    assert again.status == "replaced" and again.replaced.about["waves"] == ["2025"]
    meta = json.loads((paths.staging / f"{'f' * 16}.json").read_text())
    assert meta["waves"] == ["2026"] and len(meta["history"]) == 1
