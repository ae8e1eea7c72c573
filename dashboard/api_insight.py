"""Insight API (/api/v1): municipalities, one municipality's levels, area aggregates, OpenAPI.

Open data as JSON, or a table with `?format=csv|xlsx|parquet` (dashboard/api_formats.py; CSV is
what the dashboard's download links point at), with the dashboard's rules applied:
- consent: one municipality's own levels only where it consented to publication by name, or
  DS4E_VISIBILITY=open; otherwise 403 (it still counts in the aggregates);
- suppression: area statistics over fewer than `min_group` municipalities are null.
Errors are JSON {"error": ...} with status 400 (bad parameter, naming it and what is allowed),
403, 404 or 503 (nothing published yet; the municipality list still works from reference data).
JSON is strict (RFC 8259): `json_answer` and `json_response` refuse NaN and Infinity, so a value
that is not a number must be turned into null where it is made (`_none`, `_round`); a new one
fails the strict-JSON test instead of reaching a client. The municipality list is paged with
limit/offset: `next`/`prev` URLs in the answer and in a `Link` header.

Speed: the reference table, its JSON and its accent-folded search text are built once per
process; per build only two boolean arrays (answered, consented) are derived. The detail view
reads the level cube, the profile's per-build scores (dashboard/views/profile/data.py: the same
numbers as its radar and trend) and the per-build agreement and coverage arrays
(dashboard/detail_index.py): no query per request.

Longer than ~400 lines on purpose: the municipality list (paging, search, the per-request JSON
in Arrow) and the aggregates share the same per-build state and consent rules kept here.
"""

from __future__ import annotations

import json
import math
import threading
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from flask import Response, request

from dashboard import warmup
from dashboard.aggregates_index import aggregates_index
from dashboard.api_core import (
    NO_CONSENT,
    NOT_PUBLISHED,
    ApiError,
    json_answer,
    json_response,
)
from dashboard.api_formats import table_response
from dashboard.api_models import AggregateList, MunicipalityDetail, MunicipalityList
from dashboard.api_params import AggregatesQuery, MunicipalitiesQuery, MunicipalityQuery
from dashboard.api_spec import BAD_PARAMETER, FORBIDDEN, NOT_PUBLISHED_TEXT, Api, PathParam
from dashboard.components.places import country_names, nuts_names
from dashboard.context import AppContext
from dashboard.detail_index import detail_index
from dashboard.search import fold
from dashboard.store import Snapshot
from dashboard.views.maps.data import min_group as shown_min_group
from dashboard.views.profile.data import own_scores
from pipelines.maturity.cube import MISSING
from pipelines.reference import SIZE_CLASS_KEYS, size_class_label
from pipelines.row_index import RowIndex, shared_ids

LANGS = ("en", "nl")
REFERENCE_FIELDS = ("municipality_id", "name", "name_alt", "country", "national_code", "nuts1",
                    "nuts2", "nuts3", "population", "size_class", "lon", "lat")
LEVEL_FIELDS = ("element_id", "block", "wave", "level", "status", "n_respondents", "n_known",
                "spread", "disagree")


# ------------------------------------------------------------------ errors and parameters


# ------------------------------------------------------------------ responses


def _none(value):
    """NaN/NA -> None (Python and numpy floats of any width), numpy scalars -> Python."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (float, np.floating)) and math.isnan(value):
        return None
    return value.item() if isinstance(value, np.generic) else value


def _int(value):
    value = _none(value)
    return None if value is None else int(value)


def _round(value, digits: int = 4):
    """A finite number rounded, else None (NaN, Infinity, missing)."""
    value = _none(value)
    return None if value is None or not math.isfinite(value) else round(float(value), digits)


def page_links(total: int, offset: int, limit: int | None) -> dict[str, str | None]:
    """URLs of the pages next to this one (this request's other parameters kept): `next`
    while rows remain, `prev` when offset > 0 (the rows before it, `limit` at a time, or all
    of them without a limit); `first` and `last` on a paged list (limit > 0)."""
    def url(off: int, lim: int | None) -> str:
        args = request.args.to_dict(flat=False)
        args["offset"] = [str(off)]
        if lim is not None:
            args["limit"] = [str(lim)]
        return f"{request.base_url}?{urlencode(args, doseq=True)}"

    out: dict[str, str | None] = {"next": None, "prev": None}
    if limit and offset + limit < total:
        out["next"] = url(offset + limit, limit)
    if offset > 0:
        out["prev"] = url(max(0, offset - limit), limit) if limit else url(0, offset)
    if limit:
        out["first"] = url(0, limit)
        out["last"] = url(max(0, (total - 1) // limit * limit), limit)
    return out


def link_header(links: dict[str, str | None]) -> dict[str, str]:
    """RFC 8288 `Link` header of the page links (none: no header)."""
    value = ", ".join(f'<{u}>; rel="{rel}"' for rel, u in links.items() if u)
    return {"Link": value} if value else {}


# ------------------------------------------------------------------ the reference directory


def reference_record(table: pd.DataFrame, row: int) -> dict:
    """The public reference fields of one municipality, JSON-ready (unknown -> None)."""
    out = {}
    for f in REFERENCE_FIELDS:
        v = _none(table[f].iat[row])
        if f == "population" and v is not None:
            v = int(v)
        elif f in ("lon", "lat") and v is not None:
            v = float(v)
        elif f == "name_alt" and not v:
            v = None
        out[f] = v
    return out


def json_literals(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Each value of a column as a JSON literal (null for missing or empty text), vectorised:
    98k rows x 12 fields in a few ms instead of a second of json.dumps calls."""
    values = pa.concat_arrays(values.chunks) if isinstance(values, pa.ChunkedArray) else values
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        if pc.any(pc.match_substring_regex(values, r"[\x00-\x1f]")).as_py():
            lits = [None if v is None or v == "" else json.dumps(v, ensure_ascii=False)
                    for v in values.to_pylist()]
            return pc.fill_null(pa.array(lits, type=pa.large_string()), "null")
        escaped = pc.replace_substring(pc.replace_substring(values, "\\", "\\\\"),
                                       '"', '\\"')
        quote = pa.scalar('"', values.type)
        quoted = pc.binary_join_element_wise(quote, escaped, quote, pa.scalar("", values.type))
        empty = pc.fill_null(pc.equal(values, ""), True)
        return pc.if_else(empty, pa.scalar("null", quoted.type), quoted)
    if pa.types.is_floating(values.type):
        values = pc.if_else(pc.is_finite(values), values, pa.scalar(None, values.type))
    return pc.fill_null(pc.cast(values, pa.large_string()), "null")


def _fold(text: str) -> str:
    return text.lower() if text.isascii() else fold(text)


# every combining mark of the Basic Multilingual Plane, for str.translate (built once, ~20 ms)
_DROP_COMBINING = {cp: None for cp in range(0x300, 0x10000) if unicodedata.combining(chr(cp))}


def fold_many(texts: list[str]) -> list[str]:
    """`dashboard.search.fold` for many strings in one pass over them joined (~10x faster)."""
    joined = "\n".join(t.replace("\n", " ") for t in texts)
    folded = unicodedata.normalize("NFKD", joined.casefold()).translate(_DROP_COMBINING)
    return folded.split("\n")


def fold_column(values: pd.Series) -> pa.Array:
    """Accent- and case-folded text of a column: ASCII rows vectorised, the rest in one pass."""
    arr = pa.array(values.fillna("").astype(str).to_numpy(dtype=object), type=pa.large_string())
    lower = pc.utf8_lower(arr)
    non_ascii = np.flatnonzero(~pc.string_is_ascii(arr).to_numpy(zero_copy_only=False))
    if not len(non_ascii):
        return lower
    out = lower.to_pylist()
    folded = fold_many(arr.take(pa.array(non_ascii)).to_pylist())
    for i, text in zip(non_ascii.tolist(), folded, strict=True):
        out[i] = text
    return pa.array(out, type=pa.large_string())


class Trigrams:
    """Which rows of a text column hold a 3-byte sequence (UTF-8): the rows of each trigram,
    sorted (CSR: `codes` sorted, `rows[start[i]:start[i + 1]]` the rows of `codes[i]`). A
    substring of 3 bytes or more can only be in the rows that hold all its trigrams: search
    tests those instead of all 98,584 (the test itself stays pc.match_substring, so the answer
    is the same). ~3 M (trigram, row) pairs at EU size: 12 MB of int32 rows, built in ~1 s in
    gunicorn's master and shared by the workers."""

    def __init__(self, codes: np.ndarray, start: np.ndarray, rows: np.ndarray):
        self.codes, self.start, self.rows = codes, start, rows

    @classmethod
    def of(cls, column: pa.Array) -> Trigrams:
        column = pa.concat_arrays(column.chunks) if isinstance(column, pa.ChunkedArray) else column
        column = column.cast(pa.large_string())
        offsets = np.frombuffer(column.buffers()[1], dtype=np.int64)[
            column.offset:column.offset + len(column) + 1]
        buffer = column.buffers()[2]
        data = np.zeros(0, dtype=np.uint8) if buffer is None else \
            np.frombuffer(buffer, dtype=np.uint8)
        lengths = np.diff(offsets)
        n = np.maximum(lengths - 2, 0)  # trigrams per row
        row = np.repeat(np.arange(len(column), dtype=np.int64), n)
        # the position of each trigram: its row's first byte + its place in the row
        first = np.repeat(offsets[:-1] - np.concatenate(([0], np.cumsum(n)[:-1])), n)
        pos = first + np.arange(len(row), dtype=np.int64)
        code = (data[pos].astype(np.int64) << 16) | (data[pos + 1].astype(np.int64) << 8) | \
            data[pos + 2]
        # each (trigram, row) once, by trigram then row (sorted: np.unique's hashing took 5 s)
        pairs = (code << 32) | row
        pairs.sort()
        pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]
        code, row = pairs >> 32, (pairs & 0xFFFFFFFF).astype(np.int32)
        start = np.flatnonzero(np.concatenate(([True], code[1:] != code[:-1])))
        return cls(code[start].astype(np.int32), np.append(start, len(row)).astype(np.int64),
                   row)

    def candidates(self, text: str) -> np.ndarray | None:
        """Rows (ascending) holding every trigram of `text`; None for a text shorter than 3
        bytes."""
        b = np.frombuffer(text.encode(), dtype=np.uint8).astype(np.int64)
        if len(b) < 3:
            return None
        want = np.unique((b[:-2] << 16) | (b[1:-1] << 8) | b[2:])
        i = np.searchsorted(self.codes, want)
        found = (i < len(self.codes)) & (self.codes[np.minimum(i, len(self.codes) - 1)] == want)
        if not found.all():
            return np.zeros(0, dtype=np.int64)
        sizes = self.start[i + 1] - self.start[i]
        order = np.argsort(sizes, kind="stable")
        rows = self.rows[self.start[i[order[0]]]:self.start[i[order[0]] + 1]]
        for k in order[1:3]:  # two more trigrams narrow it enough; the test does the rest
            other = self.rows[self.start[i[k]]:self.start[i[k] + 1]]  # sorted
            at = np.minimum(np.searchsorted(other, rows), len(other) - 1)
            rows = rows[other[at] == rows]
        return rows.astype(np.int64)


class MunicipalityDirectory:
    """Reference data of all municipalities (reference order = cube order), searchable."""

    SEARCH_FIELDS = ("name", "name_alt", "national_code", "municipality_id")

    def __init__(self, table: pd.DataFrame):
        self.table = table.reset_index(drop=True)
        # packed, not a Python object per municipality: built in gunicorn's master, read by
        # every worker without copying the pages (pipelines/packed_strings.py)
        self.ids = shared_ids(self.table["municipality_id"].to_numpy(dtype=str))
        self.row_of = RowIndex.of(self.ids)
        # the items' JSON is made per request from these columns, for the rows asked for:
        # kept made (98,584 strings, 24 MB) it was the largest thing a server held
        self._arrow = pa.Table.from_pandas(self.table[list(REFERENCE_FIELDS)],
                                           preserve_index=False)
        self._fields = [fold_column(self.table[f]) for f in self.SEARCH_FIELDS]
        self._blob = pc.binary_join_element_wise(*self._fields,
                                                 pa.scalar("\t", pa.large_string()))
        self._trigrams = Trigrams.of(self._blob)

    def __len__(self) -> int:
        return len(self.ids)

    def lookup(self, municipality_id: str) -> int | None:
        row = self.row_of.get(municipality_id)
        return self.row_of.get(municipality_id.upper()) if row is None else row

    def search(self, q: str | None, mask: np.ndarray | None = None) -> np.ndarray:
        """Rows whose name, alternative name, national code or GISCO id contains `q` (accents
        and case ignored): exact matches of a field first, then prefixes, then the rest, each in
        reference order. No q: every row (of the mask) in reference order."""
        qf = _fold(" ".join(q.split())) if q else ""  # no tab can match across fields
        if not qf:
            return np.arange(len(self)) if mask is None else np.flatnonzero(mask)
        rows = self._trigrams.candidates(qf)
        if rows is None:  # shorter than a trigram: every row is a candidate
            hit = pc.match_substring(self._blob, qf).to_numpy(zero_copy_only=False)
            rows = np.flatnonzero(hit if mask is None else hit & mask)
        else:  # the same test on the rows that hold every trigram of q (~5 ms -> < 1 ms)
            if mask is not None:
                rows = rows[mask[rows]]
            hit = pc.match_substring(self._blob.take(pa.array(rows)), qf)
            rows = rows[hit.to_numpy(zero_copy_only=False)]
        if not len(rows):
            return rows
        idx = pa.array(rows)
        taken = [f.take(idx) for f in self._fields]
        exact = np.zeros(len(rows), dtype=bool)
        prefix = np.zeros(len(rows), dtype=bool)
        for f in taken:
            exact |= pc.equal(f, qf).to_numpy(zero_copy_only=False)
            prefix |= pc.starts_with(f, qf).to_numpy(zero_copy_only=False)
        rank = np.where(exact, 0, np.where(prefix, 1, 2))
        return rows[np.argsort(rank, kind="stable")]

    _TAILS = (', "has_answers": false, "consent": false}, ',
              ', "has_answers": false, "consent": true}, ',
              ', "has_answers": true, "consent": false}, ',
              ', "has_answers": true, "consent": true}, ',
              ', "has_answers": null, "consent": null}, ')

    def items_json(self, rows: np.ndarray, flags: Flags | None) -> str:
        """The JSON array of these rows' items, made in Arrow for just these rows: every
        object is one string of one Arrow buffer, read out at once (98,584 items in ~0.3 s, a
        page of 50 in a few ms), and nothing is kept between requests."""
        rows = np.asarray(rows, dtype=np.int64)
        if not len(rows):
            return "[]"
        arrow = self._arrow.take(pa.array(rows))
        parts = []
        for i, f in enumerate(REFERENCE_FIELDS):
            key = ("{" if i == 0 else ", ") + f'"{f}": '
            parts += [pa.scalar(key, pa.large_string()), json_literals(arrow[f])]
        codes = (np.full(len(rows), 4, dtype=np.int64) if flags is None else
                 flags.has_answers[rows].astype(np.int64) * 2 + flags.consent[rows])
        parts.append(pa.array(self._TAILS, pa.large_string()).take(pa.array(codes)))
        joined = pc.binary_join_element_wise(*parts, pa.scalar("", pa.large_string()))
        # no nulls (every literal is text), so the rows' texts lie back to back in the buffer
        offsets = np.frombuffer(joined.buffers()[1], dtype=np.int64)[
            joined.offset:joined.offset + len(joined) + 1]
        data = memoryview(joined.buffers()[2])[int(offsets[0]):int(offsets[-1])]
        return "[" + bytes(data).decode("utf-8")[:-2] + "]"  # without the last ", "

    def frame(self, rows: np.ndarray, flags: Flags | None) -> pd.DataFrame:
        df = self.table.iloc[rows][list(REFERENCE_FIELDS)].reset_index(drop=True)
        df["name_alt"] = df["name_alt"].replace("", None)
        df["has_answers"] = None if flags is None else flags.has_answers[rows]
        df["consent"] = None if flags is None else flags.consent[rows]
        return df


@dataclass(frozen=True)
class Flags:
    """Per build, in reference order: answered in the latest wave, consented to publication."""

    build_id: str
    wave: str
    has_answers: np.ndarray
    consent: np.ndarray


def snapshot_flags(snap: Snapshot, ids: np.ndarray) -> Flags:
    wave = snap.waves[-1]
    answered = snap.query("api_answered", wave=wave)["municipality_id"]
    has = pd.Index(answered).get_indexer(ids) >= 0  # type: ignore[arg-type]
    cube_ids = snap.maturity.municipality_ids
    if len(cube_ids) == len(ids) and (cube_ids == ids).all():
        consent = snap.consent.copy()
    else:
        pos = pd.Index(cube_ids).get_indexer(ids)
        consent = np.where(pos >= 0, snap.consent[np.maximum(pos, 0)], False)
    return Flags(snap.build_id, wave, has, consent.astype(bool))


# ------------------------------------------------------------------ the API


class InsightApi:
    """State shared by the views of one process: reference directory and per-build flags."""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        self._lock = threading.Lock()
        self._directory: MunicipalityDirectory | None = None
        self._flags: Flags | None = None
        self._area_names: dict[str, dict[str, str]] = {}

    @property
    def directory(self) -> MunicipalityDirectory:
        if self._directory is None:
            with self._lock:
                if self._directory is None:
                    self._directory = MunicipalityDirectory(self.ctx.municipalities)
        return self._directory

    def flags(self, snap: Snapshot | None) -> Flags | None:
        if snap is None or not snap.waves:
            return None
        f = self._flags
        if f is None or f.build_id != snap.build_id:
            f = self._flags = snapshot_flags(snap, self.directory.ids)
        return f

    def snapshot(self) -> Snapshot:
        snap = self.ctx.warehouse.snapshot()
        if snap is None or not snap.waves:
            raise ApiError(503, NOT_PUBLISHED)
        return snap

    # -------------------------------------------------------------- municipalities

    def municipalities(self, q: MunicipalitiesQuery) -> Response:
        fmt, d, country, limit = q.format, self.directory, q.country, q.limit
        mask = self.ctx.attributes.mask_for("country", country) if country else None
        rows = d.search(q.q, mask)
        total = len(rows)
        start = q.offset
        rows = rows[start:] if limit is None else rows[start:start + limit]
        flags = self.flags(self.ctx.warehouse.snapshot())
        links = page_links(total, start, limit)
        if fmt != "json":
            out = table_response(d.frame(rows, flags), "ds4e-municipalities", fmt)
            out.headers.update(link_header(links))
            return out
        meta = {"total": total, "offset": start, "limit": limit,
                "published": flags is not None, "wave": flags.wave if flags else None,
                "next": links["next"], "prev": links["prev"]}
        return json_response(meta, d.items_json(rows, flags), link_header(links))

    def municipality(self, municipality_id: str, q: MunicipalityQuery) -> Response:
        fmt = q.format
        row = self.directory.lookup(municipality_id)
        if row is None:
            raise ApiError(404, f"unknown municipality {municipality_id!r}",
                           municipality_id=municipality_id)
        mid = str(self.directory.ids[row])
        snap = self.snapshot()
        wave = q.wave
        try:
            m = snap.maturity.index_of(mid)
        except KeyError:  # the reference table changed after this build
            raise ApiError(404, f"municipality {mid!r} is not in the published build",
                           municipality_id=mid) from None
        if not self.ctx.visible(snap, m):
            raise ApiError(403, NO_CONSENT.format(mid=mid), municipality_id=mid)
        detail = municipality_detail(snap, mid, m, wave)
        if fmt != "json":
            df = pd.DataFrame(detail["levels"], columns=list(LEVEL_FIELDS))
            df.insert(0, "municipality_id", mid)
            for col in ("level", "spread"):  # whole numbers with gaps, not floats
                df[col] = df[col].astype("Int64")
            df["disagree"] = df["disagree"].astype("boolean")
            return table_response(df, f"ds4e-levels-{mid}-{detail['wave']}", fmt)
        reference = reference_record(self.directory.table, row)
        return json_answer({**reference, "consent": bool(snap.consent[m]), **detail})

    # -------------------------------------------------------------- aggregates

    def aggregates(self, q: AggregatesQuery) -> Response:
        fmt, level, lang, country = q.format, q.level, q.lang, q.country
        measures = q.measure or list(self.ctx.framework.element_ids)
        snap = self.snapshot()
        wave = q.wave or snap.waves[-1]
        area_type = "country_size" if level == "size_class" and country else level
        min_group = shown_min_group(self.ctx, snap)  # as the map: the stricter of app and build
        df = aggregates_index(snap).frame(wave=wave, area_type=area_type, measures=measures,
                                          country=country, min_group=min_group)
        df.insert(2, "area_name", self.area_names(df["area_type"], df["area_id"], lang))
        if fmt != "json":
            suffix = f"-{country}" if country else ""
            return table_response(df, f"ds4e-aggregates-{level}{suffix}-{wave}", fmt)
        meta = {"level": level, "area_type": area_type, "country": country, "wave": wave,
                "measures": measures, "min_group": min_group, "total": len(df)}
        return json_response(meta, df.to_json(orient="records", double_precision=6,
                                              force_ascii=False))

    def area_names(self, area_types: pd.Series, area_ids: pd.Series, lang: str) -> list:
        names = self._names(lang)
        out = []
        for kind, aid in zip(area_types.tolist(), area_ids.tolist(), strict=True):
            if kind == "country_size":
                cc, _, size = aid.partition(":")
                out.append(f"{names.get(cc, cc)}: {names.get(size, size)}")
            else:
                out.append(names.get(aid))
        return out

    def _names(self, lang: str) -> dict[str, str]:
        """Country, NUTS region and size-class names by id, as the pages show them
        (components/places.py; NUTS names as the file has them)."""
        if lang not in self._area_names:
            ref = self.ctx.settings.reference_dir
            names = {**nuts_names(ref), **country_names(ref)[lang]}
            names.update({k: size_class_label(k, lang) for k in SIZE_CLASS_KEYS})
            self._area_names[lang] = names
        return self._area_names[lang]


def municipality_detail(snap: Snapshot, mid: str, m: int, wave: str | None) -> dict:
    """Levels per element (from the cube), agreement per element and coverage (the per-build
    arrays of dashboard/detail_index.py) and block/overall scores of one municipality in one
    wave. Default wave: the latest in which it answered (else the latest published). No consent
    check: the caller does it. `mid` is the cube's id of row `m`."""
    cube = snap.maturity
    index = detail_index(snap)
    # in wave order, as the coverage table sorts its wave labels
    answered = sorted(w for i, w in enumerate(cube.waves) if index.coverage.present[i, m])
    if wave is None:
        wave = answered[-1] if answered else cube.waves[-1]
    w = cube.wave_index(wave)
    lv = cube.levels[w, m]
    levels = []
    for e, (eid, block) in enumerate(zip(cube.element_ids, cube.element_blocks, strict=True)):
        r = index.agreement.row(w, m, e)
        known = lv[e] != MISSING
        levels.append({
            "element_id": eid, "block": block, "wave": wave,
            "level": int(lv[e]) if known else None,
            "status": "known" if known else ("dont_know" if r is not None else "missing"),
            "n_respondents": r[0] if r else 0,
            "n_known": r[1] if r else 0,
            "spread": r[2] if r else None,
            "disagree": r[3] if r else None,
        })
    # the profile's numbers (the radar's block view and the trend), so the two cannot disagree
    overall, block_scores = own_scores(snap, m, w)
    out = {
        "wave": wave,
        "waves_answered": answered,
        "has_answers": wave in answered,
        "coverage": index.coverage.record(w, m),
        "levels": levels,
        "scores": {"overall": _round(overall),
                   "blocks": {b: _round(s) for b, s in zip(cube.blocks, block_scores,
                                                           strict=True)}},
    }
    if wave not in answered:
        out["message"] = f"no answers from this municipality in wave {wave}"
    return out


def warm_detail_index(ctx: AppContext) -> None:
    """The detail's arrays, and the disclosure pattern's lookup for both visibilities (the
    roadmap's peer proof always asks the consent rule's)."""
    snap = ctx.warehouse.snapshot()
    if snap is not None and snap.waves:
        detail_index(snap)
        aggregates_index(snap)
        for visibility in ("consent", "open"):
            snap.published(snap.waves[-1], "eu", "EU", visibility=visibility)


def register(api: Api, ctx: AppContext) -> None:
    insight = InsightApi(ctx)
    # before the first request (dashboard/warmup.py): the searchable directory and the flags
    warmup.add(api.server, lambda ctx: insight.flags(ctx.warehouse.snapshot()))
    warmup.add(api.server, warm_detail_index)
    mid = {"municipality_id": PathParam("GISCO id (from /api/v1/municipalities)", "NL_GM0014")}

    @api.get("/api/v1/municipalities", operation_id="listMunicipalities", tag="insight",
             summary="Reference data of matching municipalities (all ~100k unless paged)",
             description="Public reference data of every matching municipality, with whether it "
                         "answered in the latest wave and whether it consented to publication "
                         "by name. Without limit/offset all matches are returned. With q, exact "
                         "matches of a field come first, then prefix matches, then the rest, "
                         "each ordered by municipality_id. Works before any survey data are "
                         "published (flags are then null).",
             query=MunicipalitiesQuery, response=MunicipalityList, tables=True, paged=True,
             response_description="Matching municipalities",
             errors={400: BAD_PARAMETER})
    def _municipalities(q):
        return insight.municipalities(q)

    @api.get("/api/v1/municipalities/{municipality_id}", operation_id="getMunicipality",
             tag="insight", path_params=mid,
             summary="One municipality: reference data, levels per element and scores",
             description="Reference data plus the consolidated level per element in one wave "
                         "(default: the latest wave in which it answered), respondent "
                         "agreement, and block and overall scores. Consent rule: when the "
                         "municipality did not consent to publication by name and the "
                         "deployment is not DS4E_VISIBILITY=open, the answer is 403 (its answers "
                         "count in the aggregates only). `format` gives the levels table.",
             query=MunicipalityQuery, response=MunicipalityDetail, tables=True,
             response_description="The municipality's levels",
             errors={400: BAD_PARAMETER, 403: FORBIDDEN, 404: "Unknown municipality id",
                     503: NOT_PUBLISHED_TEXT})
    def _municipality(municipality_id, q):
        return insight.municipality(municipality_id, q)

    @api.get("/api/v1/aggregates", operation_id="listAggregates", tag="insight",
             summary="Distribution of levels per area: n, quartiles, mean, share at level 3+",
             description="Per area and measure, from the precomputed aggregates. An area's "
                         "statistics are null (suppressed) when it has fewer answering "
                         "municipalities than the minimum group size (DS4E_MIN_GROUP, default "
                         "5), and where publishing them would let its small groups be derived "
                         "from other published areas by subtraction (complementary suppression; "
                         "see the README, Disclosure control). level=size_class with a country "
                         "gives that country's size classes (area_type country_size, area_id "
                         "like NL:20k-50k).",
             query=AggregatesQuery, response=AggregateList, tables=True,
             response_description="Area statistics",
             errors={400: BAD_PARAMETER, 503: NOT_PUBLISHED_TEXT})
    def _aggregates(q):
        return insight.aggregates(q)
