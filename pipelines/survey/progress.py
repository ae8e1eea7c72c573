"""Survey progress for coordinators: who was invited, who started, who submitted.

A municipality is *invited* when it has a link, *started* when any of its respondents saved
an answer or submitted, *submitted* when any respondent submitted at least once. Response
rate = submitted / invited, per country, NUTS 2 region and size class.

Everything here reads the survey folder only (no build needed) and is fast enough for a wave of
tens of thousands of links: the drafts and records folders are listed once, and a draft file is
parsed again only when it changed.
"""

from __future__ import annotations

import json
import os
from functools import cache, lru_cache
from pathlib import Path

import pandas as pd

from pipelines.reference import SIZE_CLASS_KEYS, size_class_label
from pipelines.survey.records import _safe
from pipelines.survey.waves import SurveyStore

STATUSES = ("invited", "started", "submitted")
AREA_COLUMNS = {"country": "country", "nuts2": "nuts2", "size_class": "size_class"}
RESPONDENT_COLUMNS = ["municipality_id", "role", "respondent_id", "draft_answers", "submissions",
                      "last_submitted"]
STATUS_COLUMNS = ["municipality_id", "national_code", "name", "country", "nuts2", "size_class",
                  "respondents_invited", "respondents_started", "respondents_submitted",
                  "roles_not_submitted", "last_submitted", "status"]
RATE_COLUMNS = ["invited", "started", "submitted", "response_rate"]

# draft path -> (mtime_ns, size, answered elements): a draft is parsed again only when it changed
_DRAFT_COUNTS: dict[str, tuple[int, int, int]] = {}


# respondent id -> its file stem (hashing 10^5 ids on every page load would cost ~1 s)
_stem = lru_cache(maxsize=1 << 18)(_safe)


def _draft_answers(path: Path) -> int:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    answers = data.get("answers") if isinstance(data, dict) else None
    return sum(1 for a in (answers or {}).values()
               if isinstance(a, dict) and a.get("level") is not None)


def _draft_counts(folder: Path) -> dict[str, int]:
    """Answered elements per draft file stem, listing the folder once."""
    out: dict[str, int] = {}
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return out
    for e in entries:
        if not e.name.endswith(".json") or e.name.startswith("."):
            continue
        try:
            st = e.stat()
        except FileNotFoundError:  # replaced between listing and stat
            continue
        hit = _DRAFT_COUNTS.get(e.path)
        if hit is not None and hit[0] == st.st_mtime_ns and hit[1] == st.st_size:
            out[e.name[:-5]] = hit[2]
            continue
        n = _draft_answers(Path(e.path))
        _DRAFT_COUNTS[e.path] = (st.st_mtime_ns, st.st_size, n)
        out[e.name[:-5]] = n
    return out


def _record_names(folder: Path) -> dict[str, list[str]]:
    """Submission record file names per respondent folder (inbox/survey/<wave>/<respondent>/)."""
    out: dict[str, list[str]] = {}
    try:
        subdirs = [e for e in os.scandir(folder) if e.is_dir()]
    except (FileNotFoundError, NotADirectoryError):
        return out
    for d in subdirs:
        names = [e.name for e in os.scandir(d.path)
                 if e.name.endswith(".csv") and not e.name.startswith(".")]
        if names:
            out[d.name] = names
    return out


def respondents(store: SurveyStore, wave: str) -> pd.DataFrame:
    """One row per active link: municipality, role, answers in the draft, submissions."""
    table = store.active_table(wave)  # text columns: no per-link objects for 100k links
    drafts = _draft_counts(store.wave_dir(wave) / "drafts")
    submitted = _record_names(store.records_root / wave)
    rows = []
    for mid, role, respondent in zip(table["municipality_id"].tolist(), table["role"].tolist(),
                                     table["respondent_id"].tolist(), strict=True):
        safe = _stem(respondent)
        records = submitted.get(safe, ())
        rows.append((mid, role, respondent, drafts.get(safe, 0), len(records),
                     max(records)[:15] if records else ""))
    return pd.DataFrame(rows, columns=RESPONDENT_COLUMNS).astype(
        {"draft_answers": "int64", "submissions": "int64"})


def municipality_status(resp: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """One row per invited municipality with its status and respondent counts.

    `roles_not_submitted` lists the roles (';'-separated) whose respondent has not submitted;
    `last_submitted` is the newest submission of any respondent ('YYYYMMDDTHHMMSS' or '').
    A municipality missing from the reference table keeps its id as name.
    """
    if resp.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c.startswith("respondents_") else "str")
                             for c in STATUS_COLUMNS})
    started = (resp["draft_answers"] > 0) | (resp["submissions"] > 0)
    done = resp["submissions"] > 0
    per = resp.assign(started=started, submitted=done).groupby(
        "municipality_id", sort=True).agg(respondents_invited=("respondent_id", "size"),
                                          respondents_started=("started", "sum"),
                                          respondents_submitted=("submitted", "sum"),
                                          last_submitted=("last_submitted", "max"))
    pending: dict[str, list[str]] = {}
    for mid, role in zip(resp.loc[~done, "municipality_id"].tolist(), resp.loc[~done, "role"].tolist(),
                         strict=True):
        pending.setdefault(mid, []).append(role)
    per = per.reset_index()
    per["roles_not_submitted"] = [";".join(sorted(pending[m])) if m in pending else ""
                                  for m in per["municipality_id"].tolist()]
    per["status"] = "invited"
    per.loc[per["respondents_started"] > 0, "status"] = "started"
    per.loc[per["respondents_submitted"] > 0, "status"] = "submitted"
    ref = reference.set_index("municipality_id")[["national_code", "name", "country", "nuts2",
                                                  "size_class"]]
    per = per.join(ref, on="municipality_id")
    per["name"] = per["name"].fillna(per["municipality_id"])
    per["national_code"] = per["national_code"].fillna("")
    unknown = per["country"].isna()
    if unknown.any():  # not in the reference table (any more): the id starts with the country
        per.loc[unknown, "country"] = per.loc[unknown, "municipality_id"].str.split("_").str[0]
    per["nuts2"] = per["nuts2"].fillna("")
    per["size_class"] = per["size_class"].fillna("unknown")
    for c in ("respondents_invited", "respondents_started", "respondents_submitted"):
        per[c] = per[c].astype("int64")
    return per[STATUS_COLUMNS]


def _area_order(values: pd.Series, by: str) -> pd.Series:
    """Sort key: size classes small to large, other areas by code."""
    if by == "size_class":
        rank = {k: i for i, k in enumerate(SIZE_CLASS_KEYS)}
        return values.map(lambda v: rank.get(v, len(rank)))
    return values


def rates(status: pd.DataFrame, by: str) -> pd.DataFrame:
    """Invited / started / submitted municipalities and response rate per area.

    Rows in area order: countries and NUTS 2 regions by code, size classes small to large.
    """
    if by not in AREA_COLUMNS:
        raise ValueError(f"by must be one of {', '.join(AREA_COLUMNS)}")
    if status.empty:
        return pd.DataFrame({by: pd.Series(dtype="str"), "invited": pd.Series(dtype="int64"),
                             "started": pd.Series(dtype="int64"),
                             "submitted": pd.Series(dtype="int64"),
                             "response_rate": pd.Series(dtype="float64")})
    s = status.assign(started=status["status"] != "invited",
                      submitted=status["status"] == "submitted")
    out = s.groupby(AREA_COLUMNS[by], sort=False, dropna=False).agg(
        invited=("municipality_id", "size"), started=("started", "sum"),
        submitted=("submitted", "sum")).reset_index()
    out = out.rename(columns={AREA_COLUMNS[by]: by})
    out = out.sort_values(by, key=lambda v: _area_order(v, by), kind="stable",
                          ignore_index=True)
    for c in ("invited", "started", "submitted"):
        out[c] = out[c].astype("int64")
    out["response_rate"] = out["submitted"] / out["invited"]
    return out[[by, *RATE_COLUMNS]]


def totals(status: pd.DataFrame) -> dict[str, int]:
    counts = status["status"].value_counts() if not status.empty else pd.Series(dtype=int)
    submitted = int(counts.get("submitted", 0))
    started = int(counts.get("started", 0)) + submitted
    return {"invited": len(status), "started": started, "submitted": submitted,
            "respondents_invited": int(status["respondents_invited"].sum()) if len(status) else 0,
            "respondents_started": int(status["respondents_started"].sum()) if len(status) else 0,
            "respondents_submitted": int(status["respondents_submitted"].sum())
            if len(status) else 0}


def response_rate(t: dict[str, int]) -> float | None:
    """Submitted / invited municipalities; None when nobody is invited."""
    return t["submitted"] / t["invited"] if t["invited"] else None


def non_responders(status: pd.DataFrame) -> pd.DataFrame:
    """Invited municipalities that have not submitted (started ones first: closest to done)."""
    out = status[status["status"] != "submitted"]
    order = out["status"].map({"started": 0, "invited": 1})
    return out.assign(_o=order).sort_values(["_o", "country", "name", "municipality_id"],
                                            kind="stable").drop(columns="_o").reset_index(drop=True)


# ------------------------------------------------------------------ area names


@cache
def _country_names(reference_dir: str) -> dict[str, dict[str, str]]:
    path = Path(reference_dir) / "countries.csv"
    if not path.exists():
        return {"nl": {}, "en": {}}
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    return {"nl": dict(zip(df["code"], df["name_nl"], strict=True)),
            "en": dict(zip(df["code"], df["name_en"], strict=True))}


@cache
def _nuts2_names(reference_dir: str) -> dict[str, str]:
    path = Path(reference_dir) / "nuts_regions.csv"
    if not path.exists():
        return {}
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = df[df["level"] == "2"]
    return dict(zip(df["nuts_id"], df["name"], strict=True))


def area_names(by: str, codes, lang: str, reference_dir: Path | str) -> list[str]:
    """Readable names for area codes: country names in `lang`, NUTS 2 region names, size-class
    labels; an unknown code is returned as it is."""
    if by not in AREA_COLUMNS:
        raise ValueError(f"by must be one of {', '.join(AREA_COLUMNS)}")
    lang = "en" if lang == "en" else "nl"
    if by == "size_class":
        out = []
        for c in codes:
            try:
                out.append(size_class_label(c, lang))
            except KeyError:
                out.append(str(c))
        return out
    names = (_country_names(str(reference_dir))[lang] if by == "country"
             else _nuts2_names(str(reference_dir)))
    return [names.get(c) or str(c) for c in codes]


def named_rates(status: pd.DataFrame, by: str, lang: str, reference_dir: Path | str
                ) -> pd.DataFrame:
    """`rates` with a `name` column after the area code."""
    out = rates(status, by)
    out.insert(1, "name", area_names(by, out[by].tolist(), lang, reference_dir))
    return out
