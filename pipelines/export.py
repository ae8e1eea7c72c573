"""The open-data bundle of a published build: one zip that others can build on.

    python -m pipelines export --output ds4e-<build>.zip       (or GET /api/v1/bundle)

Contents (all CSV in UTF-8, formula-looking cells quoted as every CSV the project writes for
people, see csv_safe.py):
- `aggregates.csv`: every area statistic (EU, country, NUTS 2/3, size class, country x size
  class) per wave and measure, under the consent rule and the disclosure pattern of the build
  (`dashboard/store.py` applies the same): a suppressed area keeps only the public count of
  answering municipalities;
- `levels.csv`, `scores.csv`: the consolidated levels and block/overall scores of the
  municipalities that consented to publication by name, and nobody else;
- `framework/`: the framework files (elements, matrix, law profiles, conditions, member-state
  facts, changelog) exactly as in `data/framework/`;
- `manifest.json`: the build's manifest (inputs, versions, counts, checksums);
- `data_dictionary.csv` and `README.md`: every column of every CSV with type, unit, meaning and
  allowed values; what the bundle is, the disclosure rule, how to cite, the licences.

The bundle is a function of the build (and the minimum group size): rebuilding it gives the
same bytes (entries in a fixed order, fixed timestamps, sorted rows), so a checksum can be
published beside it. The CSVs are written into the zip piece by piece (CHUNK_ROWS rows at a
time): the whole levels table as one frame and one string took about 1.4 GB at EU scale, in
every server process that answered /api/v1/bundle.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.csv_safe import csv_bytes
from pipelines.framework import DEFAULT_DIR as FRAMEWORK_DIR
from pipelines.reference import MUNICIPALITIES_FILE, REFERENCE_DIR

SQL_DIR = Path(__file__).resolve().parent / "sql" / "export"
ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # fixed: the same build gives the same bytes
CHUNK_ROWS = 100_000  # rows of a CSV converted at a time (about 10 MB of text)
FRAMEWORK_FILES = ("*.yaml", "*.csv", "*.md", "elements/*.yaml", "laws/*.yaml",
                   "laws/adjacent/*.yaml")
LICENCE = ("Data (aggregates, levels, scores): CC BY 4.0, DS4E toolkit and the participating "
           "municipalities. Framework content (framework/): CC BY 4.0. Code of the toolkit: "
           "EUPL-1.2.")


@dataclass(frozen=True)
class Column:
    file: str
    column: str
    type: str
    unit: str
    meaning: str
    allowed: str = ""


_LEVEL = "0-4 (0 absent, 1 initial, 2 developing, 3 defined, 4 optimised); empty = unknown"
_AREA = "eu, country, nuts2, nuts3, size_class, country_size"
DICTIONARY: tuple[Column, ...] = (
    Column("aggregates.csv", "wave", "text", "", "survey wave (round), e.g. 2026"),
    Column("aggregates.csv", "area_type", "text", "", "kind of area", _AREA),
    Column("aggregates.csv", "area_id", "text", "", "the area: EU, ISO country code, NUTS id, "
           "size class, or country:size class (NL:20k-50k)"),
    Column("aggregates.csv", "measure", "text", "",
           "ALL (overall maturity), a building block id (STR, GOV, ...) or an element id "
           "(STR-01, ...)", "ALL, block ids, element ids of framework/"),
    Column("aggregates.csv", "n", "integer", "municipalities",
           "municipalities with a known value; for a suppressed area the public count of "
           "answering municipalities", ">= 0"),
    Column("aggregates.csv", "suppressed", "boolean", "",
           "true: the statistics are withheld (group below the minimum size, or withheld so that "
           "it cannot be derived from other published areas)", "true, false"),
    Column("aggregates.csv", "q1", "decimal", "maturity level", "first quartile (continuous)",
           "0-4; empty when suppressed"),
    Column("aggregates.csv", "median", "decimal", "maturity level", "median", "0-4; empty when "
           "suppressed"),
    Column("aggregates.csv", "q3", "decimal", "maturity level", "third quartile (continuous)",
           "0-4; empty when suppressed"),
    Column("aggregates.csv", "mean", "decimal", "maturity level", "mean", "0-4; empty when "
           "suppressed"),
    Column("aggregates.csv", "share_ge3", "decimal", "share (0-1)",
           "share of municipalities at level 3 or higher", "0-1; empty when suppressed"),
    Column("levels.csv", "municipality_id", "text", "", "GISCO LAU id (NL_GM0363)"),
    Column("levels.csv", "name", "text", "", "municipality name (reference data)"),
    Column("levels.csv", "country", "text", "", "ISO 3166 alpha-2 country code (EL = Greece)"),
    Column("levels.csv", "wave", "text", "", "survey wave"),
    Column("levels.csv", "element_id", "text", "", "framework element", "element ids of "
           "framework/elements/"),
    Column("levels.csv", "level", "integer", "maturity level",
           "consolidated level: the lower median of the respondents' known levels", _LEVEL),
    Column("levels.csv", "n_respondents", "integer", "people", "respondents who answered the "
           "element", ">= 1"),
    Column("levels.csv", "n_known", "integer", "people", "respondents who gave a level (not "
           "'don't know')", ">= 0"),
    Column("levels.csv", "spread", "integer", "levels", "highest minus lowest known level",
           "0-4; empty when nobody knew"),
    Column("levels.csv", "disagree", "boolean", "", "respondents differ by 2 levels or more",
           "true, false"),
    Column("scores.csv", "municipality_id", "text", "", "GISCO LAU id"),
    Column("scores.csv", "wave", "text", "", "survey wave"),
    Column("scores.csv", "scope", "text", "", "ALL (overall) or a building block id",
           "ALL, block ids"),
    Column("scores.csv", "score", "decimal", "maturity level",
           "mean of the known element levels in scope (when at least half are known)", "0-4"),
    Column("scores.csv", "n_known", "integer", "elements", "elements in scope with a known "
           "level", ">= 0"),
    *(Column("data_dictionary.csv", c, "text", "", m) for c, m in (
        ("file", "the file in this bundle"), ("column", "the column"),
        ("type", "text, integer, decimal or boolean"), ("unit", "unit of measurement"),
        ("meaning", "what the value means"), ("allowed", "allowed values or range"))),
)


def _query(name: str, **params) -> pd.DataFrame:
    con = duckdb.connect()
    try:
        return con.sql((SQL_DIR / f"{name}.sql").read_text(encoding="utf-8"),
                       params=params).df()
    finally:
        con.close()


def _queries(build: Path, min_group: int, reference_dir: Path) -> dict[str, tuple[str, dict]]:
    """file name -> (query name, parameters) of the bundle's tables."""
    b = str(build)
    return {"aggregates.csv": ("aggregates", {"aggregates": f"{b}/aggregates.parquet",
                                              "disclosure": f"{b}/disclosure.parquet",
                                              "min_group": int(min_group)}),
            "levels.csv": ("levels", {"levels": f"{b}/levels.parquet",
                                      "coverage": f"{b}/coverage.parquet",
                                      "reference": str(Path(reference_dir) / MUNICIPALITIES_FILE)}),
            "scores.csv": ("scores", {"scores": f"{b}/scores.parquet",
                                      "coverage": f"{b}/coverage.parquet"})}


def _typed(name: str, df: pd.DataFrame) -> pd.DataFrame:
    if name == "levels.csv":  # whole levels, empty when unknown (not 2.0 / NaN)
        df["level"] = df["level"].astype("Int64")
        df["spread"] = df["spread"].astype("Int64")
    return df


def tables(build: Path, min_group: int, reference_dir: Path = REFERENCE_DIR
           ) -> dict[str, pd.DataFrame]:
    """The bundle's tables from a build folder."""
    return {name: _typed(name, _query(query, **params))
            for name, (query, params) in _queries(build, min_group, reference_dir).items()}


def _csv_pieces(name: str, query: str, params: dict, counts: dict[str, int]
                ) -> Callable[[], Iterator[bytes]]:
    """A table's CSV in pieces of CHUNK_ROWS rows (the header with the first); `counts` gets its
    number of rows first (the README, written before the tables, names them)."""
    sql = (SQL_DIR / f"{query}.sql").read_text(encoding="utf-8").strip().rstrip(";")
    con = duckdb.connect()
    try:
        counts[name] = con.sql(f"SELECT count(*) FROM ({sql})", params=params).fetchall()[0][0]
    finally:
        con.close()

    def pieces() -> Iterator[bytes]:
        con = duckdb.connect()
        try:
            # one run of the sorted query, read in batches (the relational path, as `_query`)
            reader = con.sql(sql, params=params).fetch_arrow_reader(CHUNK_ROWS)
            header = True
            for batch in reader:
                yield csv_bytes(_typed(name, batch.to_pandas()), header=header)
                header = False
            if header:  # no rows: the header alone
                yield csv_bytes(_typed(name, reader.schema.empty_table().to_pandas()))
        finally:
            con.close()
    return pieces


def dictionary_frame() -> pd.DataFrame:
    return pd.DataFrame([c.__dict__ for c in DICTIONARY])


def readme(manifest: dict, min_group: int, counts: dict[str, int]) -> str:
    fw = manifest.get("framework", {})
    lines = [
        f"# DS4E open data, build {manifest['build_id']}",
        "",
        f"Built {manifest.get('built_at', '')} from the survey waves "
        f"{', '.join(manifest.get('waves', []))}; framework {fw.get('version', '')} "
        f"(checksum {fw.get('checksum', '')[:12]}).",
    ]
    if manifest.get("demo"):
        lines += ["", "**DEMO DATA**: generated for real municipalities, not real answers. Do "
                  "not use for policy."]
    lines += [
        "",
        "## Files",
        "",
        f"- `aggregates.csv` ({counts['aggregates.csv']:,} rows): statistics per area, wave "
        "and measure.",
        f"- `levels.csv` ({counts['levels.csv']:,} rows) and `scores.csv` "
        f"({counts['scores.csv']:,} rows): the municipalities that consented to publication "
        "by name; nobody else's results are in this bundle.",
        "- `framework/`: building blocks, elements with level descriptors, the enabling "
        "matrix, EU law profiles, conditions and member-state facts, as versioned data.",
        "- `manifest.json`: inputs, versions, counts and checksums of the build.",
        "- `data_dictionary.csv`: every column of every CSV: type, unit, meaning, allowed "
        "values.",
        "",
        "## Disclosure rule",
        "",
        f"An area's statistics are published only when at least {min_group} municipalities "
        "have a value and no statistic of a smaller group can be derived from published ones "
        "(complementary suppression: totals minus parts, NUTS 2 minus its NUTS 3, country "
        "minus its size classes). A suppressed area keeps only its public count of answering "
        "municipalities. Individual results only of municipalities that consented.",
        "",
        "## Levels",
        "",
        "0 absent, 1 initial, 2 developing, 3 defined (documented and operational), "
        "4 optimised. A municipality's level per element is the lower median of its "
        "respondents' known levels; 'don't know' is left out, never counted as 0.",
        "",
        "## Licences",
        "",
        LICENCE,
        "",
        f"Cite as: DS4E toolkit, open data build {manifest['build_id']}.",
        "",
    ]
    return "\n".join(lines)


def framework_files(root: Path = FRAMEWORK_DIR) -> list[tuple[str, bytes]]:
    out = {}
    for pattern in FRAMEWORK_FILES:
        for p in root.glob(pattern):
            out[f"framework/{p.relative_to(root).as_posix()}"] = p.read_bytes()
    return sorted(out.items())


def bundle_bytes(build: Path, manifest: dict, min_group: int, *,
                 reference_dir: Path = REFERENCE_DIR,
                 framework_dir: Path = FRAMEWORK_DIR) -> bytes:
    """The zip, byte-identical for the same build, minimum group size and framework files."""
    counts: dict[str, int] = {}
    entries: dict[str, bytes | Callable[[], Iterator[bytes]]] = {
        name: _csv_pieces(name, query, params, counts)
        for name, (query, params) in _queries(build, min_group, reference_dir).items()}
    entries["data_dictionary.csv"] = csv_bytes(dictionary_frame())
    entries["manifest.json"] = json.dumps(manifest, indent=1, sort_keys=True,
                                          ensure_ascii=False).encode("utf-8")
    entries["README.md"] = readme(manifest, min_group, counts).encode("utf-8")
    entries.update(framework_files(framework_dir))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            payload = entries[name]
            # a streamed entry is compressed as it comes: the same bytes as one write
            with zf.open(info, "w") as dest:
                for piece in [payload] if isinstance(payload, bytes) else payload():
                    dest.write(piece)
    return buf.getvalue()


def bundle_name(build_id: str) -> str:
    return f"ds4e-{build_id}.zip"
