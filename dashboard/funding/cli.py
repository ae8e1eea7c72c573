"""`python -m pipelines funding`: the funding what-if from the command line, answered from the
published build exactly as POST /api/v1/insight/funding-what-if answers (the options become the
API's JSON body; the same validation, numbers and words). pipelines/__main__.py imports this
module lazily, only for this command: the data path never needs the web app."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

from dashboard.config import Settings
from dashboard.context import AppContext
from dashboard.funding.answer import NotPublished, answer_frame, answer_json, answers_of
from dashboard.funding.request import requests_of
from dashboard.views.policy.data_funding import FundingError
from pipelines.csv_safe import safe_frame


def _items(text: str, field: str) -> list[dict]:
    """'SEC-02:3,SEC-01:3:40000' -> the body's items (numbers as numbers, so the API's strict
    validation applies; a part that is not a number is passed on as text and refused there)."""
    out = []
    for k, part in enumerate(p.strip() for p in text.split(",") if p.strip()):
        bits = [b.strip() for b in part.split(":")]
        if len(bits) not in (2, 3):
            raise FundingError(f"{field}.{k}", f"expected ELEMENT:LEVEL[:COST], got {part!r}")
        item: dict = {"element": bits[0].upper(), "level": _number(bits[1])}
        if len(bits) == 3:
            item["cost"] = _number(bits[2])
        out.append(item)
    return out


def _number(text: str):
    try:
        v = float(text)
    except ValueError:
        return text
    return int(v) if v.is_integer() else v


def body_of(args) -> dict:
    body = {"package": _items(args.package, "package"), "rule": args.rule, "lang": args.lang}
    if args.compare:
        body["compare"] = _items(args.compare, "compare")
    for key, value in (("country", args.country), ("nuts2", args.nuts2),
                       ("size_class", args.size_class), ("law", args.law),
                       ("reach", args.reach), ("budget", args.budget)):
        if value is not None:
            body[key] = value
    return body


def run(args, data_dir: Path, out=None) -> int:
    out = out or sys.stdout
    ctx = AppContext.load(Settings.from_env({**_env(), "DS4E_DATA_DIR": str(data_dir)}))
    try:
        reqs, lang = requests_of(ctx, json.dumps(body_of(args)).encode())
        answers = answers_of(ctx, reqs)
    except FundingError as e:
        print(f"error: {e.field}: {e.problem}", file=sys.stderr)
        return 2
    except NotPublished as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if args.format == "csv":
        buf = io.StringIO()
        safe_frame(answer_frame(ctx, answers, lang)).to_csv(buf, index=False)
        out.write(buf.getvalue())
    else:
        out.write(json.dumps(answer_json(ctx, answers, lang), ensure_ascii=False,
                             allow_nan=False, indent=2) + "\n")
    return 0


def _env() -> dict:
    import os
    return {k: v for k, v in os.environ.items() if k.startswith("DS4E_")}
