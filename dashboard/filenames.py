"""Download file names, for the dashboard's downloads and the API's alike.

A name is built from URL state that a crafted request controls: only letters, digits, dot, dash
and underscore survive, and the length is capped, so a name can never climb folders (../) or
split a header (CR/LF). Its own module (no Dash, no Flask) because both the download component
(components/downloads.py) and the API's table writers (api_formats.py) need it, and the component
uses those writers: either importing it from the other would be a cycle.
"""

from __future__ import annotations

import re

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
