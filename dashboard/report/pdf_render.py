"""The council report as PDF, laid out by Typst (the `typst` wheel from PyPI: the compiler and
its fonts in one binary, no system libraries). Tagged PDF/UA-1 with title and language, the
radar as vector graphics; about 10 ms a page.

Why Typst: WeasyPrint needs Pango/Cairo from the system, ReportLab and fpdf2 write untagged
PDF by default and leave layout (wrapping tables, columns) to hand-written code; Typst gives a
tagged, accessible PDF with real table structure from a short template (report.typ)."""

from __future__ import annotations

import json
from pathlib import Path

import typst

from dashboard.report.content import Report

TEMPLATE = Path(__file__).with_name("report.typ")
STANDARDS = ["ua-1"]  # PDF/UA-1: tagged structure, alt text, title and language required


def render_pdf(report: Report) -> bytes:
    """The same report gives the same bytes: the PDF's dates are the build's (not the clock's),
    so an ETag, a cache and a rerun of the batch agree."""
    return typst.compile(str(TEMPLATE), sys_inputs={"doc": json.dumps(report.to_dict())},
                         pdf_standards=STANDARDS, ignore_system_fonts=True,
                         timestamp=report.timestamp)
