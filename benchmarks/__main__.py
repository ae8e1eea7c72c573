"""`python -m benchmarks`: see benchmarks/suite.py."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# the benchmark scripts import each other as top-level modules, and the app from the checkout
sys.path[:0] = [str(HERE), str(HERE.parent)]

from suite import main  # noqa: E402

raise SystemExit(main())
