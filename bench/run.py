"""Run every benchmark and print one line per figure: `name: value unit (goal ...)`."""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))


def main() -> int:
    modules = ["startup"] + sorted(p.stem for p in HERE.glob("bench_*.py"))
    failed = 0
    started = time.perf_counter()
    for name in modules:
        try:
            lines = importlib.import_module(name).run()
        except Exception as exc:  # one broken benchmark must not hide the others
            print(f"{name}: FAILED ({type(exc).__name__}: {exc})")
            failed += 1
            continue
        for line in lines:
            print(line, flush=True)
    print(f"bench_total_time: {time.perf_counter() - started:.0f} s (goal <= 180 s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
