"""Drafts and submissions of the in-app survey.

A draft is one JSON file per respondent, replaced atomically on every save (temp file in the
same folder, then os.replace), so a reload or another device finds the latest answers. A
submission is a new immutable canonical CSV in `inbox/survey/<wave>/`: written to a temp file,
then linked under a unique name (os.link fails rather than overwrite), so any number of
respondents can submit at the same moment and an amendment is simply a later record.
`python -m pipelines ingest --pending` and `build` stage the records that are not staged yet;
the build's "latest answer wins" rule makes the newest record of a respondent count.

No write replaces another kind of write: only a draft save writes the draft, only a submit
writes a record. So a submit and a draft save racing on two workers (or machines sharing the
state folder) both survive, and the form opens with whichever is newer (`load_draft`).
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import io
import json
import os
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipelines.csv_safe import restore_frame, safe_frame
from pipelines.staging import atomic_write_bytes, readable_by_others
from pipelines.survey.sheet import Sheet, canonical_rows, parse_sheet
from pipelines.survey.waves import Access, SurveyError, SurveyStore, _utc

# errors of os.link on file systems that have no hard links
_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS}


class ClosedError(SurveyError):
    """The wave is closed (or not open yet): nothing is saved."""


def _safe(respondent_id: str) -> str:
    """A file name for a respondent: readable, and unique thanks to a short hash."""
    readable = "".join(c if c.isalnum() or c in "-_" else "_" for c in respondent_id)
    return f"{readable}-{hashlib.sha256(respondent_id.encode()).hexdigest()[:8]}"


def _now(now: dt.datetime | None) -> dt.datetime:
    return _utc(now or dt.datetime.now(dt.UTC))


def _respondent(access: Access) -> tuple[str, str]:
    if not access.ok or access.invitation is None:
        raise SurveyError("this link does not open a survey")
    return access.wave.wave, access.invitation.respondent_id


def draft_path(store: SurveyStore, access: Access) -> Path:
    wave, respondent = _respondent(access)
    return store.wave_dir(wave) / "drafts" / f"{_safe(respondent)}.json"


@dataclass(frozen=True)
class Draft:
    sheet: Sheet
    saved_at: dt.datetime | None


def load_draft(store: SurveyStore, access: Access, element_ids) -> Draft:
    """The respondent's newest answers: the draft, or the latest submission when that is newer
    or there is no draft (to amend; `saved_at` None); else empty."""
    draft = None
    try:
        data = json.loads(draft_path(store, access).read_text(encoding="utf-8"))
        draft = Draft(parse_sheet(data, element_ids), _utc(data["saved_at"]))
    except FileNotFoundError:
        pass
    latest = latest_submission(store, access)
    # a tie goes to the record: it is what the build will count
    if latest is not None and len(latest) and (
            draft is None or _utc(latest["submitted_at"].max()) >= draft.saved_at):
        sheet = sheet_from_record(latest, element_ids)
        if draft is not None:
            # a record holds answered elements only: notes without a level stay in the form
            notes = {e: a for e, a in draft.sheet.answers.items()
                     if not a.answered and e not in sheet.answers}
            sheet = Sheet({**sheet.answers, **notes}, sheet.consent)
        return Draft(sheet, None)
    return draft if draft is not None else Draft(Sheet({}), None)


def save_draft(store: SurveyStore, access: Access, sheet: Sheet, *,
               now: dt.datetime | None = None) -> dt.datetime:
    now = _now(now)
    _respondent(access)  # a coordinator link has no answers to save
    if not access.can_edit(now):
        raise ClosedError(f"wave {access.wave.wave} is closed: answers can no longer change")
    # microseconds: a save and a submit of the same second still order (load_draft)
    data = {**sheet.to_json(), "saved_at": now.isoformat(timespec="microseconds")}
    atomic_write_bytes(draft_path(store, access), json.dumps(data, indent=1).encode())
    return now


def submit(store: SurveyStore, access: Access, sheet: Sheet, element_order, *,
           now: dt.datetime | None = None) -> Path:
    """Write one immutable submission record; return its path."""
    now = _now(now)
    _respondent(access)
    if not access.can_edit(now):
        raise ClosedError(f"wave {access.wave.wave} is closed: nothing was submitted")
    if not any(a.answered for a in sheet.answers.values()):
        raise SurveyError("nothing to submit: no element has an answer yet")
    inv = access.invitation
    rows = canonical_rows(sheet, municipality_id=inv.municipality_id, wave=access.wave.wave,
                          respondent_id=inv.respondent_id, role=inv.role, submitted_at=now,
                          element_order=element_order)
    buf = io.StringIO()
    record_text(rows).to_csv(buf, index=False, lineterminator="\n")
    folder = store.records_root / access.wave.wave / _safe(inv.respondent_id)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y%m%dT%H%M%S%f")  # microseconds: two submissions in one second keep their order
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".submit-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            readable_by_others(fh.fileno())  # the build may run as another user than the app
            fh.write(buf.getvalue().encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        while True:  # a fresh uuid practically never collides; os.link refuses if it does
            final = folder / f"{stamp}-{uuid.uuid4().hex[:12]}.csv"
            try:
                os.link(tmp, final)
                break
            except FileExistsError:
                continue
            except OSError as exc:
                if exc.errno not in _NO_HARD_LINKS:
                    raise
                # A share without hard links (some SMB or FUSE mounts): a rename is atomic as
                # well, and the 48 random bits of the name make an overwrite practically
                # impossible; checking first narrows it further.
                if final.exists():
                    continue
                os.replace(tmp, final)
                break
    finally:
        Path(tmp).unlink(missing_ok=True)
    # The draft is left alone: a draft save racing this submit must not be overwritten (nor
    # overwrite the record); the form reopens with the newer of the two (load_draft).
    return final


def record_files(store: SurveyStore, wave: str | None = None) -> list[Path]:
    """Submission records: inbox/survey/<wave>/<respondent>/<time>-<id>.csv."""
    root = store.records_root
    pattern = f"{wave}/*/*.csv" if wave else "*/*/*.csv"
    return sorted(root.glob(pattern)) if root.is_dir() else []


# A record is read by people (an operator opening it in a spreadsheet) and by the pipeline (it
# is canonical input). So the free text a respondent typed is neutralised on the way out, in the
# reversible form, and every reader of a record (read_record here, and ingest for records under
# inbox/survey/) restores it: the staged evidence is exactly what the respondent typed. Only
# records get this treatment; a canonical file from elsewhere is staged as it is.
def record_text(rows: pd.DataFrame) -> pd.DataFrame:
    """Canonical rows as a record stores them: formula-looking text neutralised, reversibly."""
    return safe_frame(rows, reversible=True)


def record_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """The cells of a record as they were before `record_text`."""
    return restore_frame(frame)


def is_record(path: Path, data_dir: Path) -> bool:
    """Whether `path` is a submission record of the in-app survey (under inbox/survey/)."""
    root = SurveyStore(data_dir).records_root.resolve()
    return Path(path).resolve().is_relative_to(root)


def read_record(path: Path) -> pd.DataFrame:
    return record_cells(pd.read_csv(path, dtype=str, keep_default_na=False))


def submissions(store: SurveyStore, wave: str) -> pd.DataFrame:
    """Every submitted row of a wave (all records, amendments included), plus `record`."""
    frames = [read_record(p).assign(record=f"{p.parent.name}/{p.name}")
              for p in record_files(store, wave)]
    if not frames:
        return pd.DataFrame(columns=["municipality_id", "wave", "element_id", "level",
                                     "respondent_id", "respondent_role", "submitted_at",
                                     "confidence", "evidence", "publish_consent", "record"])
    return pd.concat(frames, ignore_index=True)


def latest_submission(store: SurveyStore, access: Access) -> pd.DataFrame | None:
    """The respondent's newest record (amendments replace, so only the newest counts)."""
    wave, respondent = _respondent(access)
    folder = store.records_root / wave / _safe(respondent)
    mine = sorted(folder.glob("*.csv")) if folder.is_dir() else []
    if not mine:
        return None
    frames = [read_record(p) for p in mine]
    return max(frames, key=lambda f: f["submitted_at"].max() if len(f) else "")


def sheet_from_record(record: pd.DataFrame, element_ids) -> Sheet:
    answers = {}
    for r in record.itertuples():
        item = {"level": r.level, "confidence": r.confidence or None, "evidence": r.evidence}
        answers[r.element_id] = item
    consent = None
    if len(record) and record["publish_consent"].iat[0] in ("true", "false"):
        consent = record["publish_consent"].iat[0] == "true"
    return parse_sheet({"answers": answers, "consent": consent}, element_ids)


def submitted_at(store: SurveyStore, access: Access) -> dt.datetime | None:
    latest = latest_submission(store, access)
    if latest is None or not len(latest):
        return None
    return dt.datetime.fromisoformat(latest["submitted_at"].max())
