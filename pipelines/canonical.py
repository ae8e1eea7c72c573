"""The canonical survey table: one row per respondent × element × wave.

Every reader (canonical CSV/XLSX, survey-tool exports, the in-app survey, the demo generator)
produces exactly this table; staging, build and the app read nothing else.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

# Columns a canonical input file must have (publish_consent is optional).
REQUIRED_COLUMNS = (
    "municipality_id", "wave", "element_id", "level", "respondent_id", "respondent_role",
    "submitted_at", "confidence", "evidence",
)
OPTIONAL_COLUMNS = ("country", "publish_consent")
COLUMNS = (*REQUIRED_COLUMNS, "publish_consent")

CONFIDENCE_VALUES = ("low", "medium", "high")
# Words that mean "don't know" in the level column (case-insensitive), besides an empty cell.
DONT_KNOW = ("n/a", "na", "dk", "don't know", "dont know", "weet niet", "onbekend", "?")
TRUE_WORDS = ("1", "true", "yes", "ja", "y", "j")
FALSE_WORDS = ("0", "false", "no", "nee", "n")

# Arrow schema of a staged file: compact types, dictionary-encoded repeated strings.
STAGED_SCHEMA = pa.schema([
    ("municipality_id", pa.dictionary(pa.int32(), pa.string())),
    ("wave", pa.dictionary(pa.int8(), pa.string())),
    ("element_id", pa.dictionary(pa.int8(), pa.string())),
    ("level", pa.int8()),  # null = don't know
    ("respondent_id", pa.string()),
    ("respondent_role", pa.dictionary(pa.int16(), pa.string())),
    ("submitted_at", pa.timestamp("s", tz="UTC")),
    ("confidence", pa.dictionary(pa.int8(), pa.string())),
    ("evidence", pa.string()),
    ("publish_consent", pa.bool_()),
])


def empty_frame() -> pd.DataFrame:
    return STAGED_SCHEMA.empty_table().to_pandas()


def to_arrow(df: pd.DataFrame) -> pa.Table:
    """A validated canonical DataFrame as an Arrow table with the staged schema."""
    cols = {}
    for field in STAGED_SCHEMA:
        s = df[field.name] if field.name in df else pd.Series([None] * len(df), dtype="object")
        if isinstance(s.dtype, pd.CategoricalDtype):
            # Categoricals go straight to dictionary arrays: no Python object per row, which
            # matters for the ~10M-row EU demo.
            codes = s.cat.codes.to_numpy()
            arr = pa.DictionaryArray.from_arrays(
                pa.array(codes, mask=codes < 0).cast(pa.int32()),
                pa.array(s.cat.categories.astype(object).tolist(), type=pa.string()))
            cols[field.name] = (arr.cast(field.type) if pa.types.is_dictionary(field.type)
                                else arr.dictionary_decode().cast(field.type))
        elif pa.types.is_dictionary(field.type):
            arr = pa.array(s.astype("object").where(s.notna(), None), type=pa.string())
            cols[field.name] = arr.dictionary_encode().cast(field.type)
        elif pa.types.is_timestamp(field.type):
            ts = pd.to_datetime(s, utc=True)
            cols[field.name] = pa.array(ts.dt.floor("s"), type=field.type)
        elif field.type == pa.int8():
            cols[field.name] = pa.array(pd.array(s, dtype="Int8"), type=pa.int8())
        elif field.type == pa.bool_():
            cols[field.name] = pa.array(pd.array(s, dtype="boolean"), type=pa.bool_())
        else:
            cols[field.name] = pa.array(s.astype("object").where(s.notna(), None), type=field.type)
    return pa.table(cols, schema=STAGED_SCHEMA)
