"""Every CSV the dashboard hands out (callback downloads and the API's ?format=csv).

Cells are neutralised for spreadsheets (pipelines/csv_safe.py: a text cell starting with =, +,
-, @, tab or CR gets a leading quote), so a municipality name or an evidence note cannot run as
a formula in whoever opens the file. File names are built from URL state that a crafted request
controls: only letters, digits, dot, dash and underscore survive, and the length is capped, so a
name can never climb folders (../) or split a header (CR/LF).
"""

from __future__ import annotations

import re

import pandas as pd
from dash import dcc

from pipelines.csv_safe import csv_bytes

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_NAME = 120


def safe_filename(name: str, default: str = "ds4e.csv") -> str:
    """A download file name from parts that may come from a request."""
    stem, dot, ext = str(name).rpartition(".")
    stem, ext = (stem, ext) if dot else (ext, "csv")
    stem = re.sub(r"_+", "_", re.sub(r"\.{2,}", "_", _UNSAFE.sub("_", stem)))
    stem = stem.strip("._-")[:MAX_NAME]
    ext = _UNSAFE.sub("", ext)[:8] or "csv"
    return f"{stem}.{ext}" if stem else default


def csv_text(df: pd.DataFrame) -> str:
    """The CSV of a frame as people download it (UTF-8, neutralised cells, no index)."""
    return csv_bytes(df, index=False).decode("utf-8")


def csv_download(df: pd.DataFrame, filename: str) -> dict:
    """What a dcc.Download gets for a frame."""
    return dcc.send_string(csv_text(df), safe_filename(filename), type="text/csv")
