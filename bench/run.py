"""Run every benchmark and print one line per figure: `name: value unit (goal ...)`.

python3 bench/run.py          # the default run, under 3 minutes once the generated stores are cached
python3 bench/run.py --full   # also the regional scale (issue 14 point 7): 1,000,000 clients on SQLite and
                              # PostgreSQL, Today and the writers on PostgreSQL too; generated stores are
                              # cached in the user cache folder (soptui-bench), the first run builds them
"""

from __future__ import annotations

import importlib
import inspect
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))


def main(argv: list[str]) -> int:
    full = "--full" in argv
    modules = ["startup"] + sorted(p.stem for p in HERE.glob("bench_*.py"))
    failed = 0
    started = time.perf_counter()
    for name in modules:
        try:
            run = importlib.import_module(name).run
            lines = run(full=True) if full and "full" in inspect.signature(run).parameters else run()
        except Exception as exc:  # one broken benchmark must not hide the others
            print(f"{name}: FAILED ({type(exc).__name__}: {exc})")
            failed += 1
            continue
        for line in lines:
            print(line, flush=True)
    goal = "goal: none with --full" if full else "goal <= 180 s"
    print(f"bench_total_time: {time.perf_counter() - started:.0f} s ({goal})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
