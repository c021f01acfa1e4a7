"""8 writers at once on each engine (issue 14 points 2 and 7): create a client, finish a call, save a roll call.

SQLite: a fresh file. PostgreSQL: SOPTUI_BENCH_POSTGRESQL (a URL of an empty scratch database whose public schema
is dropped first), else a private throw-away cluster started here as tools/test_all.py does, when PostgreSQL's
server programs are installed; otherwise the PostgreSQL lines say it was skipped.
SOPTUI_BENCH_WRITERS=PxT changes the default 8x150 (8x500 with --full).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _shape(full: bool = False) -> tuple[int, int]:
    # the default run stays under 3 minutes: 8 writers x 150 transactions; --full runs the 8 x 500
    text = os.environ.get("SOPTUI_BENCH_WRITERS", "8x500" if full else "8x150")
    p, t = text.lower().split("x")
    return int(p), int(t)


def _lines(engine: str, outcome: dict, problems: list[str], processes: int, transactions: int) -> list[str]:
    goal = 500 if engine == "sqlite" else 300
    errors = len(outcome["errors"])
    return [
        f"writers_{engine}_{processes}x{transactions}_tx_per_s: {outcome['tx_per_s']:.0f} tx/s (goal >= {goal})",
        f"writers_{engine}_p99: {outcome['p99_ms']:.0f} ms (goal <= 100; p50 {outcome['p50_ms']:.0f}, "
        f"max {outcome['max_ms']:.0f})",
        f"writers_{engine}_errors: {errors} (goal 0)" + (f" first: {outcome['errors'][0][:120]}" if errors else ""),
        f"writers_{engine}_rows_and_attendance_rule: {len(problems)} problems (goal 0)",
    ]


def run(full: bool = False) -> list[str]:
    """--full: PostgreSQL on the bench's own cluster (bench/pg_cluster.py) with fsync and synchronous commit on,
    as a real server commits; the default run uses the throw-away test cluster (fsync off)."""
    from writers_workload import check
    from writers_workload import run as run_writers

    processes, transactions = _shape(full)
    lines = []
    with tempfile.TemporaryDirectory() as folder:
        target = str(Path(folder) / "writers.db")
        outcome = run_writers(target, processes, transactions)
        lines += _lines("sqlite", outcome, check(target, outcome), processes, transactions)
    url = os.environ.get("SOPTUI_BENCH_POSTGRESQL")
    cluster = None
    if not url and full:
        import pg_cluster

        cluster = pg_cluster.cached_cluster()
        if cluster is None:
            return [*lines, "writers_postgresql: skipped (no PostgreSQL server programs; goal >= 300 tx/s)"]
        url = cluster.fresh_database("bench_writers")
    elif not url:
        from test_all import Cluster, pg_bindir

        bindir = pg_bindir()
        if bindir is None:
            return [*lines, "writers_postgresql: skipped (no PostgreSQL server programs; goal >= 300 tx/s)"]
        cluster = Cluster(bindir)
    try:
        if cluster is not None and not full:
            url = cluster.start()
        from playhouse.db_url import connect

        scratch = connect(url)
        scratch.execute_sql("DROP SCHEMA IF EXISTS public CASCADE")
        scratch.execute_sql("CREATE SCHEMA public")
        scratch.close()
        outcome = run_writers(url, processes, transactions)
        engine = "postgresql_fsync_on" if full else "postgresql"
        lines += _lines(engine, outcome, check(url, outcome), processes, transactions)
    finally:
        if cluster is not None:
            cluster.stop()
    return lines


if __name__ == "__main__":
    for line in run(full="--full" in sys.argv):
        print(line)
