"""The whole suite on every engine this machine has: SQLite, then PostgreSQL in a private, throw-away cluster.

    python3 tools/test_all.py [pytest arguments]

The PostgreSQL pass starts its own cluster (initdb in a temporary folder, listening on 127.0.0.1 only, on a
free port, trust authentication for the local test user), points the suite at it with SOPTUI_TEST_DATABASE
(tests/conftest.py then gives each test a scratch database) and stops and deletes the cluster at the end,
whatever happened. Run as root (CI), the server runs as the `postgres` account through runuser.

Without PostgreSQL's server programs (initdb, pg_ctl) it runs SQLite only and says so. The exit code is
non-zero if either pass failed. SOPTUI_TEST_ENGINES=sqlite (or postgresql) runs one pass only.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Pixel snapshots draw the same screens on either engine, and the browser test runs `soptui serve` on a SQLite
# demo store of its own: the PostgreSQL pass leaves both to the SQLite pass.
PG_PYTEST_ARGS = ["--ignore=tests/snapshots", "--ignore=tests/browser"]


def pg_bindir() -> Path | None:
    """The folder of initdb and pg_ctl: Debian keeps them in /usr/lib/postgresql/N/bin, out of PATH."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0
    )
    for folder in reversed(versions):
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).resolve().parent
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A private PostgreSQL cluster; `stop()` stops it and, for a temporary one, removes every trace of it.

    The test cluster lives in a temporary folder with durability off (a scratch cluster: fsync buys nothing);
    bench/pg_cluster.py keeps its folder between runs and its commits durable (`folder`, `settings`).
    """

    # a scratch cluster: durability costs time and buys nothing here
    SETTINGS = ("max_connections=200", "fsync=off", "synchronous_commit=off", "full_page_writes=off")
    INITDB = ("--no-sync",)
    STOP_MODE = "immediate"

    def __init__(self, bindir: Path, folder: Path | None = None):
        self.bindir = bindir
        self.temporary = folder is None
        self.folder = Path(tempfile.mkdtemp(prefix="soptui-pg-")) if folder is None else folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.data = self.folder / "data"
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            import pwd

            account = pwd.getpwnam("postgres")
            os.chown(self.folder, account.pw_uid, account.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        os.chmod(self.folder, 0o700)
        self.started = False

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, stdout=subprocess.DEVNULL)

    def start(self) -> str:
        if not (self.data / "PG_VERSION").exists():  # a kept folder is initialised once
            self._run(
                str(self.bindir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "soptui",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                *self.INITDB,
            )
        options = " ".join(
            [
                "-c listen_addresses=127.0.0.1",
                f"-c port={self.port}",
                f"-c unix_socket_directories={self.folder}",
                *(f"-c {setting}" for setting in self.SETTINGS),
            ]
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "log"),
            "-w",
            "-o",
            options,
            "start",
        )
        self.started = True
        return self.url_of("postgres")

    def url_of(self, name: str) -> str:
        return f"postgresql://soptui@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        try:
            if self.started:
                self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", self.STOP_MODE, "-w", "stop")
                self.started = False
        finally:
            if self.temporary:
                shutil.rmtree(self.folder, ignore_errors=True)


def workers() -> list[str]:
    """Two test processes a core (at most 8): the UI tests spend much of their time waiting on the event loop,
    so on a 2-core machine 4 workers ran the SQLite pass in 493 s against 571 s with 2 (pytest's «-n auto»).
    Work stealing: a worker that runs out takes tests from the others' queues, so the pass does not end with one
    worker alone on its last long Pilot walks."""
    return ["-n", str(min(8, 2 * (os.cpu_count() or 1))), "--dist", "worksteal"]


def pytest(extra: list[str], env: dict[str, str]) -> int:
    chosen = [] if any(a == "-n" or a.startswith("-n") and a[2:].isdigit() for a in extra) else workers()
    return subprocess.call([sys.executable, "-m", "pytest", "-q", *chosen, *extra], cwd=ROOT, env=env)


def main(argv: list[str]) -> int:
    engines = os.environ.get("SOPTUI_TEST_ENGINES", "sqlite,postgresql").split(",")
    # PYTHONDONTWRITEBYTECODE (set on some CI images) made every process of the suite compile soptui from source:
    # each pytest worker, each `python -m soptui` a CLI test starts and each writer process (0.6 s of CPU apiece
    # here); the compiled files go to __pycache__ folders, which git ignores
    env = {k: v for k, v in os.environ.items() if k not in ("SOPTUI_TEST_DATABASE", "PYTHONDONTWRITEBYTECODE")}
    results: dict[str, tuple[int, float]] = {}
    if "sqlite" in engines:
        print("== SQLite ==", flush=True)
        began = time.monotonic()
        results["SQLite"] = (pytest(argv, env), time.monotonic() - began)
    if "postgresql" in engines:
        bindir = pg_bindir()
        if bindir is None:
            print(
                "PostgreSQL не установлен (нет initdb и pg_ctl): тесты прогнаны только на SQLite. "
                "Debian/Ubuntu: apt-get install postgresql",
                flush=True,
            )
        else:
            cluster = Cluster(bindir)
            # a CI job cancelled mid-run still stops the server and deletes its folder
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
            try:
                url = cluster.start()
                print(
                    f"== PostgreSQL ({bindir.parent.name}, private cluster on 127.0.0.1:{cluster.port}) ==", flush=True
                )
                began = time.monotonic()
                code = pytest([*PG_PYTEST_ARGS, *argv], {**env, "SOPTUI_TEST_DATABASE": url})
                results["PostgreSQL"] = (code, time.monotonic() - began)
            finally:
                cluster.stop()
    for engine, (code, seconds) in results.items():
        print(f"{engine}: {'passed' if code == 0 else f'FAILED (exit {code})'} in {seconds:.0f} s", flush=True)
    return max((code for code, _ in results.values()), default=0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
