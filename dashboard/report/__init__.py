"""The council report: one municipality, one wave, one A4 page, as PDF and HTML.

`assemble` gathers the content from the dashboard's engines (content.py); `render_pdf` (Typst)
and `render_html` lay the same content out. Used by the API (dashboard/api_report.py), the CLI
(`python -m pipelines report`, cli.py) and the profile's and roadmap's download button.
"""

from dashboard.report.content import Report, ReportRefused, assemble
from dashboard.report.html_render import render_html
from dashboard.report.pdf_render import render_pdf


def report_filename(report: Report, suffix: str) -> str:
    return f"report-{report.municipality_id}-{report.wave}-{report.lang}.{suffix}"


__all__ = ["Report", "ReportRefused", "assemble", "render_html", "render_pdf", "report_filename"]
