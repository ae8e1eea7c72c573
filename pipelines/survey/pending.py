"""Staging the in-app survey's submission records that are not staged yet.

Each record is ingested as its own batch: one bad record (which the app should never write)
is rejected with its errors beside it and does not hold back everybody else's answers.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.staging import DataPaths, sha256_file
from pipelines.survey.records import record_files
from pipelines.survey.waves import SurveyStore


def pending_records(paths: DataPaths) -> list[Path]:
    """Records whose bytes are neither staged nor rejected before."""
    out = []
    for p in record_files(SurveyStore(paths.survey_state)):
        sha = sha256_file(p)
        staged = (paths.staging / f"{sha[:16]}.json").exists()
        rejected = (paths.rejected / f"{sha[:12]}-{p.name}").exists()
        if not staged and not rejected:
            out.append(p)
    return out


def ingest_pending(paths: DataPaths, *, framework=None, index=None, progress: bool = False):
    """Ingest every pending record; return the list of per-record IngestReports."""
    from pipelines.framework import load_framework
    from pipelines.ingest import ingest_files
    from pipelines.reference import build_index

    files = pending_records(paths)
    if not files:
        return []
    fw = framework if framework is not None else load_framework()
    index = build_index(index)
    return [ingest_files([p], paths, framework=fw, index=index, progress=progress)
            for p in files]
