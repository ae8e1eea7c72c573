"""The council report as one self-contained HTML page (inline CSS and SVG, no script, no
network): what the PDF says, in the same order, for mail, intranet or a screen reader."""

from __future__ import annotations

from html import escape

from dashboard.report.content import Report, Section

CSS = """
@page { size: A4; margin: 14mm 15mm; }
body { font-family: "Libertinus Serif", Georgia, "Times New Roman", serif; color: #000;
  background: #fff; max-width: 190mm; margin: 1.5rem auto; padding: 0 1rem; font-size: 10.5pt;
  line-height: 1.35; }
h1 { font-size: 17pt; margin: 0; }
.subtitle { margin: 0 0 .4rem; color: #333; }
.banner { border: 1.5px solid #000; padding: .25rem .5rem; font-weight: bold; margin: .4rem 0; }
h2 { font-size: 12pt; margin: .9rem 0 .3rem; border-bottom: 1px solid #000; }
dl.facts { display: grid; grid-template-columns: max-content 1fr max-content 1fr;
  gap: .1rem .8rem; margin: .4rem 0; }
dl.facts dt { font-weight: bold; } dl.facts dd { margin: 0; }
.top { display: grid; grid-template-columns: minmax(0, 5fr) minmax(0, 6fr); gap: 1rem;
  align-items: start; }
figure { margin: 0; } figure svg { width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; margin: .3rem 0; }
th, td { border-bottom: .5px solid #999; padding: .12rem .3rem; vertical-align: top;
  text-align: left; }
th { border-bottom: 1px solid #000; }
td.r, th.r { text-align: right; white-space: nowrap; }
ol.items { padding-left: 1.2rem; margin: .2rem 0; } ol.items li { margin-bottom: .35rem; }
.sub { margin: .1rem 0 0; font-size: 9pt; }
.small { font-size: 8.5pt; }
footer { margin-top: 1rem; font-size: 8pt; color: #333; border-top: .5px solid #999; }
@media (max-width: 700px) { .top { grid-template-columns: 1fr; }
  dl.facts { grid-template-columns: max-content 1fr; } }
@media print { body { margin: 0; max-width: none; padding: 0; } }
"""


def _table(table: dict) -> str:
    align = table.get("align") or []

    def cls(i: int) -> str:
        return ' class="r"' if i < len(align) and align[i] == "r" else ""
    head = "".join(f'<th scope="col"{cls(i)}>{escape(h)}</th>'
                   for i, h in enumerate(table["header"]))
    body = "".join("<tr>" + "".join(
        (f'<th scope="row">{escape(c)}</th>' if i == 0 and c else f"<td{cls(i)}>{escape(c)}</td>")
        for i, c in enumerate(row)) + "</tr>" for row in table["rows"])
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _section(s: Section) -> str:
    out = [f'<section id="{s.id}"{" class=small" if s.small else ""}>',
           f"<h2>{escape(s.heading)}</h2>"]
    out.extend(f"<p>{escape(p)}</p>" for p in s.paragraphs)
    if s.items:
        lis = []
        for it in s.items:
            subs = "".join(f'<p class="sub">{escape(x)}</p>' for x in it["sub"])
            lis.append(f"<li><strong>{escape(it['title'])}</strong>. {escape(it['text'])}{subs}"
                       "</li>")
        out.append('<ol class="items">' + "".join(lis) + "</ol>")
    if s.table:
        out.append(_table(s.table))
    out.append("</section>")
    return "".join(out)


def render_html(report: Report) -> str:
    sections = {s.id: s for s in report.sections}
    facts = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in report.facts)
    banner = f'<p class="banner" role="note">{escape(report.banner)}</p>' if report.banner else ""
    radar = (f'<figure><svg role="img" aria-label="{escape(report.radar_alt)}"'
             + report.radar_svg.removeprefix("<svg") + "</figure>")
    rest = "".join(_section(s) for s in report.sections if s.id not in ("profile", "elements"))
    return (f'<!DOCTYPE html><html lang="{report.lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(report.title)}</title><style>{CSS}</style></head><body>"
            f"<header><h1>{escape(report.title)}</h1>"
            f'<p class="subtitle">{escape(report.subtitle)}</p>{banner}'
            f'<dl class="facts">{facts}</dl></header><main>'
            f'<div class="top"><div>{_section(sections["profile"])}{radar}</div>'
            f'<div>{_section(sections["elements"])}</div></div>'
            f"{rest}</main><footer><p>{escape(report.footer)}</p></footer></body></html>")
