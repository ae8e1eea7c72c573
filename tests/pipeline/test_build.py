"""Build on a small hand-made fixture against hand-computed marts; idempotence; atomic publish."""

from __future__ import annotations

import json
import threading

import duckdb
import numpy as np
import pandas as pd
import pytest

from pipelines import build as build_mod
from pipelines.build import BuildError, build, current_build_id
from pipelines.staging import UMASK, DataPaths, sha256_file, stage

T1 = pd.Timestamp("2025-04-01 10:00", tz="UTC")
T2 = pd.Timestamp("2025-05-01 10:00", tz="UTC")


def row(m, element, level, resp, when=T1, wave="2025", consent=None, role="CIO"):
    return {"municipality_id": m, "wave": wave, "element_id": element, "level": level,
            "respondent_id": f"{m}-{resp}", "respondent_role": role, "submitted_at": when,
            "confidence": "high", "evidence": None, "publish_consent": consent}


def first_input(fw) -> pd.DataFrame:
    rows = [
        row("NL_GM0363", "SEC-01", 3, "r1", consent=True),
        row("NL_GM0363", "SEC-01", 1, "r2", role="CISO"),
        row("NL_GM0363", "SEC-01", None, "r3", role="DPO"),
        row("NL_GM0599", "SEC-01", 2, "r1"),
        row("NL_GM0599", "SEC-01", 2, "r2", role="CISO"),
        row("NL_GM0518", "SEC-01", 3, "r1"),
        row("NL_GM0772", "SEC-01", 0, "r1", consent=False),
        row("BE_11002", "SEC-01", None, "r1"),
    ]
    # Utrecht answers every element: level 2 everywhere, 4 on SEC-01
    rows += [row("NL_GM0344", e, 4 if e == "SEC-01" else 2, "r1") for e in fw.element_ids]
    return pd.DataFrame(rows)


def amendment() -> pd.DataFrame:
    # Eindhoven's respondent corrects SEC-01 later, and changes its consent
    return pd.DataFrame([row("NL_GM0772", "SEC-01", 3, "r1", when=T2, consent=True)])


def stage_df(df, paths, sha_char):
    return stage(df, sha=sha_char * 64, name=f"input-{sha_char}.csv", kind="real", fmt="csv",
                 paths=paths)


@pytest.fixture()
def built(tmp_path, fw):
    paths = DataPaths(tmp_path).ensure()
    stage_df(first_input(fw), paths, "a")
    stage_df(amendment(), paths, "b")
    result = build(tmp_path, framework=fw)
    return paths, result


def mart(result, name) -> pd.DataFrame:
    return duckdb.sql(f"SELECT * FROM read_parquet('{result.path / name}.parquet')").df()


def test_consolidated_levels(built):
    _, result = built
    lv = mart(result, "levels").set_index(["municipality_id", "element_id"])
    ams = lv.loc[("NL_GM0363", "SEC-01")]
    # lower median of [3, 1] with one don't-know: 1; spread 2 -> disagreement
    assert (ams.level, ams.n_respondents, ams.n_known, ams.spread, ams.disagree) == (1, 3, 2, 2, True)
    rot = lv.loc[("NL_GM0599", "SEC-01")]
    assert (rot.level, rot.spread, rot.disagree) == (2, 0, False)
    assert lv.loc[("NL_GM0772", "SEC-01")].level == 3  # the later amendment wins
    ant = lv.loc[("BE_11002", "SEC-01")]
    assert pd.isna(ant.level) and ant.n_known == 0 and not ant.disagree


def test_coverage_and_consent(built):
    _, result = built
    cov = mart(result, "coverage").set_index("municipality_id")
    assert cov.loc["NL_GM0363", "n_respondents"] == 3
    assert cov.loc["NL_GM0363", "roles"] == "CIO, CISO, DPO"
    assert bool(cov.loc["NL_GM0363", "publish_consent"]) is True
    assert bool(cov.loc["NL_GM0772", "publish_consent"]) is True  # latest choice counts
    assert bool(cov.loc["NL_GM0599", "publish_consent"]) is False  # never stated: not consenting
    assert cov.loc["NL_GM0344", "n_known"] == 39


@pytest.mark.parametrize("choices,expected", [
    # (respondent, consent, when) in the order they arrive; the municipality's decision
    ([("r1", True, T1), ("r2", True, T1)], True),  # everyone who answered said yes
    ([("r1", True, T1), ("r2", False, T1)], False),  # a disagreement is no
    ([("r1", True, T1), ("r2", None, T1)], True),  # a respondent who did not answer it: no veto
    ([("r1", True, T1), ("r1", False, T2)], False),  # a withdrawal takes effect
    ([("r1", False, T1), ("r1", True, T2)], True),  # and so does a change of mind to yes
    ([("r1", True, T1), ("r2", False, T1), ("r2", True, T2)], True),  # a resolved disagreement
    ([("r1", False, T1), ("r2", True, T2)], False),  # one later yes cannot flip another's no
])
def test_consent_is_the_teams_decision(tmp_path, fw, choices, expected):
    rows = [row("NL_GM0363", "SEC-01", 3, r, when=when, consent=c, role=r.upper())
            for r, c, when in choices]
    stage_df(pd.DataFrame(rows), DataPaths(tmp_path).ensure(), "c")
    cov = mart(build(tmp_path, framework=fw), "coverage").set_index("municipality_id")
    assert bool(cov.loc["NL_GM0363", "publish_consent"]) is expected


def test_consent_is_decided_in_the_latest_wave_that_states_it(tmp_path, fw):
    """A 2025 respondent's yes is not kept alive by a 2026 team that says no (or vice versa):
    the latest wave in which anyone answered the question decides."""
    rows = [row("NL_GM0363", "SEC-01", 3, "old", when=T1, wave="2025", consent=True),
            row("NL_GM0363", "SEC-01", 3, "new", when=T2, wave="2026", consent=False)]
    paths = DataPaths(tmp_path).ensure()
    stage_df(pd.DataFrame(rows), paths, "d")
    cov = mart(build(tmp_path, framework=fw), "coverage")
    assert not cov.loc[cov["municipality_id"] == "NL_GM0363", "publish_consent"].any()


def test_aggregates_hand_computed_and_suppressed(built):
    _, result = built
    agg = mart(result, "aggregates").set_index(["measure", "area_type", "area_id"])
    nl = agg.loc[("SEC-01", "country", "NL")]
    # known NL levels: 1 (Amsterdam), 4 (Utrecht), 2 (Rotterdam), 3 (Den Haag), 3 (Eindhoven)
    assert nl.n == 5 and not nl.suppressed
    assert (nl["q1"], nl["median"], nl["q3"]) == (2.0, 3.0, 3.0)
    assert nl.share_ge3 == pytest.approx(0.6) and nl["mean"] == pytest.approx(2.6)
    assert agg.loc[("SEC-01", "eu", "EU")].n == 5  # Antwerp's don't-know is not a level
    region = agg.loc[("SEC-01", "nuts2", "NL32")]
    assert region.suppressed and pd.isna(region["median"]) and pd.isna(region.share_ge3)
    assert ("SEC-01", "country", "BE") not in agg.index


def test_scores(built, fw):
    _, result = built
    sc = mart(result, "scores").set_index(["municipality_id", "scope"])
    assert sc.loc[("NL_GM0344", "ALL")].score == pytest.approx((38 * 2 + 4) / 39)
    assert sc.loc[("NL_GM0344", "SEC")].score == pytest.approx((4 + 2 + 2 + 2) / 4)
    # one element known out of 39: too little for an overall score
    assert pd.isna(sc.loc[("NL_GM0363", "ALL")].score)


def test_cube_matches_levels(built, fw):
    _, result = built
    cube = np.load(result.path / "levels_cube.npy")
    ids = pd.read_parquet(result.path / "cube_municipalities.parquet")["municipality_id"].tolist()
    assert cube.shape == (1, len(ids), 39)
    m, e = ids.index("NL_GM0363"), fw.element_ids.index("SEC-01")
    assert cube[0, m, e] == 1
    assert cube[0, ids.index("BE_11002"), e] == -1
    assert (cube[0, ids.index("NL_GM0344")] >= 2).all()
    assert (cube >= 0).sum() == 5 + 38  # known levels in the levels mart


def test_manifest(built, fw):
    paths, result = built
    m = json.loads((result.path / "manifest.json").read_text())
    assert m["build_id"] == result.build_id == current_build_id(paths)
    assert m["demo"] is False
    assert m["framework"] == {"version": fw.version, "checksum": fw.checksum}
    assert [i["sha256"] for i in m["inputs"]] == ["a" * 64, "b" * 64]
    assert m["waves"] == ["2025"]
    assert m["counts"]["levels"] == 6 + 38
    for name, digest in m["files"].items():
        assert sha256_file(result.path / name) == digest


def test_manifest_has_a_checksum_for_every_file(built, tmp_path):
    """The server verifies a build against these (pipelines/integrity.py): every file the build
    wrote is listed, subfolders included, and the published files are readable by a server
    running as another user."""
    from pipelines.integrity import file_checksums, verify_build

    paths, result = built
    m = json.loads((result.path / "manifest.json").read_text())
    on_disk = {p.relative_to(result.path).as_posix() for p in result.path.rglob("*") if p.is_file()}
    assert set(m["files"]) == on_disk - {"manifest.json"}
    assert {"levels.parquet", "levels_cube.npy", "aggregates.parquet", "readiness.npz",
            "roadmap.npz", "disclosure.parquet"} <= set(m["files"])
    assert verify_build(result.path).ok
    for p in (result.path / "manifest.json", paths.current, *result.path.iterdir()):
        assert p.stat().st_mode & 0o777 == 0o666 & ~UMASK, p  # as any file (mkstemp: 0600)
    # a file in a subfolder is listed by its path inside the build
    (tmp_path / "x" / "arrays").mkdir(parents=True)
    (tmp_path / "x" / "arrays" / "a.npy").write_bytes(b"a")
    (tmp_path / "x" / "manifest.json").write_text("{}")
    assert list(file_checksums(tmp_path / "x")) == ["arrays/a.npy"]


def test_idempotent(built, fw, tmp_path):
    _paths, first = built
    again = build(tmp_path, framework=fw)
    assert not again.published and again.build_id == first.build_id
    hashes = json.loads((first.path / "manifest.json").read_text())["files"]
    forced = build(tmp_path, framework=fw, force=True)
    assert forced.build_id == first.build_id
    assert json.loads((forced.path / "manifest.json").read_text())["files"] == hashes


def test_new_input_gives_new_build_and_keeps_few(built, fw, tmp_path):
    paths, first = built
    for i, ch in enumerate("cdef"):
        stage_df(pd.DataFrame([row("NL_GM0014", "STR-01", i % 5, "r1")]), paths, ch)
        res = build(tmp_path, framework=fw)
        assert res.published and res.build_id != first.build_id
    builds = [p for p in paths.builds.iterdir() if not p.name.startswith(".")]
    assert len(builds) == build_mod.KEEP_BUILDS


def test_nothing_staged(tmp_path, fw):
    with pytest.raises(BuildError, match="nothing is staged"):
        build(tmp_path, framework=fw)


def test_failed_build_keeps_the_published_one(built, fw, tmp_path, monkeypatch):
    paths, first = built
    stage_df(pd.DataFrame([row("NL_GM0014", "STR-01", 2, "r1")]), paths, "c")

    def boom(*a, **k):
        raise RuntimeError("disk full")
    monkeypatch.setattr(build_mod, "_write_cubes", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        build(tmp_path, framework=fw)
    assert current_build_id(paths) == first.build_id
    assert not [p for p in paths.builds.iterdir() if p.name.startswith(".tmp")]


def test_reader_never_sees_a_mix(built, fw, tmp_path):
    """While builds are published, every reader snapshot is one whole build."""
    from dashboard.store import Warehouse
    from pipelines.reference import REFERENCE_DIR

    paths, first = built
    wh = Warehouse(tmp_path, REFERENCE_DIR)
    expected = {first.build_id: 6 + 38}
    seen, errors, stop = [], [], threading.Event()

    def read():
        while not stop.is_set():
            try:
                snap = wh.snapshot()
                n = int(snap.query("counts")["levels"].iloc[0])
                seen.append((snap.build_id, n, snap.manifest["counts"]["levels"]))
            except Exception as exc:
                errors.append(repr(exc))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for i, ch in enumerate("cde"):
            stage_df(pd.DataFrame([row("NL_GM0014", "STR-01", i, "r1"),
                                   row("NL_GM0014", "STR-02", i, "r1")][: i + 1]), paths, ch)
            res = build(tmp_path, framework=fw)
            expected[res.build_id] = res.manifest["counts"]["levels"]
    finally:
        stop.set()
        reader.join(10)
    assert not errors, errors[:3]
    assert seen
    for build_id, n, manifest_n in seen:
        assert n == manifest_n == expected[build_id]


# ------------------------------------------------------------------ demo builds and demo links


def stage_kind(df, paths, sha_char, kind):
    return stage(df, sha=sha_char * 64, name=f"{kind}-{sha_char}.csv", kind=kind, fmt="csv",
                 paths=paths)


@pytest.mark.parametrize(("kinds", "demo"), [
    (["demo"], True), (["demo", "demo"], True), (["demo", "real"], False),
    (["real", "demo"], False), (["real"], False)])
def test_demo_only_when_every_input_is_demo(tmp_path, fw, kinds, demo):
    paths = DataPaths(tmp_path).ensure()
    frames = [first_input(fw), amendment()]
    for df, ch, kind in zip(frames, "ab", kinds, strict=False):
        stage_kind(df, paths, ch, kind)
    result = build(tmp_path, framework=fw)
    assert result.manifest["demo"] is demo
    on_disk = json.loads((result.path / "manifest.json").read_text())
    assert on_disk["demo"] is demo and [i["kind"] for i in on_disk["inputs"]] == kinds


def test_publishing_real_data_ends_the_demo_links(tmp_path, fw):
    from pipelines.survey.demo import demo_links, demo_links_path, open_demo_wave
    from pipelines.survey.waves import SurveyStore

    paths = DataPaths(tmp_path).ensure()
    stage_kind(first_input(fw), paths, "a", "demo")
    assert build(tmp_path, framework=fw).manifest["demo"] is True
    open_demo_wave(tmp_path, "2025")
    demo = demo_links(tmp_path)
    store = SurveyStore(tmp_path)
    # a coordinator's own link in that wave was never public: it must keep working
    (private,) = store.invite("2025", ["NL_GM0014"], ["cio"])

    stage_kind(amendment(), paths, "b", "demo")  # another demo build keeps the demo going
    assert build(tmp_path, framework=fw).manifest["demo"] is True
    assert demo_links(tmp_path) == demo
    assert all(store.open_link(x["token"]).ok for x in demo["links"])
    assert store.open_link(demo["coordinator_token"]).coordinator

    stage_kind(pd.DataFrame([row("NL_GM0014", "STR-01", 2, "r1")]), paths, "c", "real")
    result = build(tmp_path, framework=fw)
    assert result.published and result.manifest["demo"] is False
    assert not demo_links_path(tmp_path).exists() and demo_links(tmp_path) is None
    for x in demo["links"]:
        access = store.open_link(x["token"])
        assert access.status == "revoked" and not access.ok and access.invitation is None
    gone = store.open_link(demo["coordinator_token"])
    assert not gone.ok and not gone.coordinator
    assert store.open_link(private.token).ok
    assert store.wave("2025").title == "Demo 2025"  # the wave and its answers stay


def test_a_real_build_with_no_demo_wave_touches_no_survey_files(built, tmp_path):
    _paths, result = built
    assert result.manifest["demo"] is False
    assert not (tmp_path / "survey").exists()
