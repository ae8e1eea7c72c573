"""Check law profiles one file at a time, as the framework loader does (schema, references,
the legal-duty rules), without loading the rest of the framework:

    python tools/check_law.py data/framework/laws/NIS2.yaml [more files...]

Prints one line per problem and exits 1 if there is any (0 when every file is sound).
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.framework import Law, duty_problems, law_problems  # noqa: E402


def known_ids() -> tuple[set[str], set[str]]:
    fw = ROOT / "data" / "framework"
    elements = {e["id"] for p in (fw / "elements").glob("*.yaml")
                for e in yaml.safe_load(p.read_text(encoding="utf-8"))["elements"]}
    conditions = {c["id"] for c in yaml.safe_load(
        (fw / "conditions.yaml").read_text(encoding="utf-8"))["conditions"]}
    return elements, conditions


def main(paths: list[str]) -> int:
    elements, conditions = known_ids()
    bad = 0
    for p in paths:
        try:
            law = Law.model_validate(yaml.safe_load(Path(p).read_text(encoding="utf-8")))
        except Exception as e:  # report it and go on with the next file
            print(f"{p}: {e}")
            bad += 1
            continue
        for i, field, problem in [*law_problems(law, elements, conditions), *duty_problems(law)]:
            where = f"requirement #{i + 1} ({law.requirements[i].element})" if i is not None else "law"
            print(f"{p}: {where}: {field}: {problem}")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
