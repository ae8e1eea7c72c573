"""Survey-tool exports: LimeSurvey, Microsoft Forms, KoboToolbox, Qualtrics and a wide table.

    grid = read_grid(path)                          # raw rows, headers as in the file
    found = detect(grid, element_ids)               # which tool (or canonical)
    mapping = load_mapping("limesurvey.yaml", element_ids)
    result = convert(grid, ADAPTERS["limesurvey"], mapping, name=..., index=..., ...)

One adapter per tool (limesurvey.py, msforms.py, kobo.py, qualtrics.py, wide.py) says what
differs: header rows, response id, submission time, which rows are not answers. convert.py
turns any of them into canonical rows checked by `validate_canonical`, and reports errors at
the file's own rows and headers. The mapping file format: data/survey_mappings/README.md.
"""

from __future__ import annotations

from pipelines.ingest.tools.base import PERSONAL_COLUMNS, Adapter, ToolTable
from pipelines.ingest.tools.convert import ToolResult, convert
from pipelines.ingest.tools.detect import LOOKED_FOR, Detection, detect
from pipelines.ingest.tools.kobo import Kobo
from pipelines.ingest.tools.limesurvey import LimeSurvey
from pipelines.ingest.tools.mapping import TOOLS, Mapping, MappingError, load_mapping, parse_mapping
from pipelines.ingest.tools.msforms import MSForms
from pipelines.ingest.tools.qualtrics import Qualtrics
from pipelines.ingest.tools.wide import Wide

ADAPTERS: dict[str, Adapter] = {a.tool: a for a in (LimeSurvey(), MSForms(), Kobo(), Qualtrics(),
                                                     Wide())}
assert tuple(ADAPTERS) == TOOLS


def label(tool: str, fmt: str) -> str:
    """'LimeSurvey CSV', 'Microsoft Forms XLSX', 'canonical CSV', 'wide XLSX'."""
    name = "canonical" if tool == "canonical" else ADAPTERS[tool].label
    return f"{name} {fmt.upper()}"


__all__ = [
    "ADAPTERS", "LOOKED_FOR", "PERSONAL_COLUMNS", "TOOLS", "Adapter", "Detection", "Mapping",
    "MappingError", "ToolResult", "ToolTable", "convert", "detect", "label", "load_mapping",
    "parse_mapping",
]
