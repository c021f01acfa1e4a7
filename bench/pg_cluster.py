"""A private PostgreSQL cluster for the benchmarks whose data folder is kept between runs (issue 14 point 7).

Like tools/test_all.py's cluster (initdb, 127.0.0.1 only, a free port, trust for the local bench user, run
as the `postgres` account when started as root) but its data folder stays, so a 1,000,000-client database
is loaded once and reused: `<user cache>/soptui-bench/pg-<major>` (as root: `~postgres/soptui-bench-<major>`,
a folder the postgres account can reach). Databases are named by what they hold and a digest of the
generator and schema; `stop()` stops the server and keeps the folder.

Unlike the test cluster this one keeps fsync and synchronous_commit on: the writer figures are about a real
server's commits.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))


from test_all import Cluster  # noqa: E402 - tools/ is put on the path above


class BenchCluster(Cluster):
    """The test runner's cluster with its folder kept and its commits durable (fsync and synchronous commit on)."""

    SETTINGS = (
        "max_connections=50",
        "shared_buffers=512MB",
        "work_mem=32MB",
        "maintenance_work_mem=512MB",
        "max_wal_size=4GB",
    )
    INITDB = ()
    STOP_MODE = "fast"

    def _admin(self):
        import psycopg2

        conn = psycopg2.connect(self.url_of("postgres"))
        conn.autocommit = True
        return conn

    def exists(self, name: str) -> bool:
        with self._admin() as conn, conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            return cur.fetchone() is not None

    def drop(self, name: str) -> None:
        conn = self._admin()
        try:
            conn.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            conn.close()

    def drop_like(self, prefix: str, keep: str = "") -> None:
        conn = self._admin()
        try:
            cur = conn.cursor()
            cur.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (prefix + "%",))
            for (name,) in cur.fetchall():
                if name != keep:
                    cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            conn.close()

    def fresh_database(self, name: str) -> str:
        self.drop(name)
        conn = self._admin()
        try:
            conn.cursor().execute(f'CREATE DATABASE "{name}"')
        finally:
            conn.close()
        return self.url_of(name)


def cached_cluster() -> BenchCluster | None:
    """The bench cluster, started; None without PostgreSQL's server programs."""
    from test_all import pg_bindir

    bindir = pg_bindir()
    if bindir is None:
        return None
    major = bindir.parent.name
    if os.geteuid() == 0:
        import pwd

        # the postgres account's home: a folder it can always reach (the temporary folders may be root-only)
        folder = Path(pwd.getpwnam("postgres").pw_dir) / f"soptui-bench-{major}"
    else:
        from platformdirs import user_cache_dir

        folder = Path(user_cache_dir("soptui-bench", appauthor=False)) / f"pg-{major}"
    cluster = BenchCluster(bindir, folder)
    cluster.start()
    return cluster


def copy_sqlite_into(sqlite_path: Path, url: str, batch: int = 100_000) -> None:
    """Load a SQLite store into an empty PostgreSQL database: the schema by the store's own code, the rows with
    COPY in batches (a million clients in minutes; the migrate-to path inserts row pages and is for real stores),
    the search-term indexes built after the load, the id sequences moved past the copied ids, ANALYZE."""
    import io
    import sqlite3

    import psycopg2

    from soptui.db import models as m
    from soptui.db.connection import bind, db, open_url
    from soptui.db.migrations import ensure_schema
    from soptui.db.transfer import ordered_models

    target = open_url(url)
    bind(target)
    try:
        ensure_schema(target)
    finally:
        target.close()
        db.initialize(None)
    src = sqlite3.connect(sqlite_path)
    conn = psycopg2.connect(url)
    try:
        cur = conn.cursor()
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'client_search_term' "
            "AND indexname NOT LIKE '%pkey'"
        )
        deferred = cur.fetchall()
        for name, _sql in deferred:
            cur.execute(f'DROP INDEX "{name}"')
        for model in ordered_models():
            if model is m.SchemaVersion:
                continue
            table = model._meta.table_name
            cols = [r[1] for r in src.execute(f'PRAGMA table_info("{table}")')]
            bools = {f.column_name for f in model._meta.sorted_fields if isinstance(f, m.pw.BooleanField)}
            names = ", ".join(f'"{c}"' for c in cols)
            rows = src.execute(f'SELECT {names} FROM "{table}"')
            while True:
                chunk = rows.fetchmany(batch)
                if not chunk:
                    break
                buf = io.StringIO()
                for row in chunk:
                    buf.write(",".join(_csv(v, c in bools) for v, c in zip(row, cols)))
                    buf.write("\n")
                buf.seek(0)
                cur.copy_expert(f'COPY "{table}" ({names}) FROM STDIN WITH (FORMAT csv)', buf)
        conn.commit()
        for _name, sql in deferred:
            cur.execute(sql)
        for model in ordered_models():
            pk = model._meta.primary_key
            if isinstance(pk, m.pw.AutoField):
                t, c = model._meta.table_name, pk.column_name
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{t}', '{c}'), COALESCE(MAX({c}), 1), "
                    f"MAX({c}) IS NOT NULL) FROM {t}"
                )
        conn.commit()
        conn.autocommit = True
        cur.execute("VACUUM ANALYZE")
    finally:
        conn.close()
        src.close()


def _csv(value, boolean: bool) -> str:
    if value is None:
        return ""
    if boolean:
        return "t" if value else "f"
    if isinstance(value, int | float):
        return str(value)
    return '"' + str(value).replace('"', '""') + '"'
