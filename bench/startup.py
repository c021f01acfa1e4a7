"""Cold start to a painted first screen: soptui's sign-in vs a bare Textual hello-world.

Each run is a fresh interpreter; the child prints a line as soon as its first
screen has been painted (Textual's auto_pilot runs after the first refresh) and
the parent measures the wall time from spawn to that line.

Both run with compiled bytecode, as an installed copy has it (pip compiles it at install): the children
write and read it under a private PYTHONPYCACHEPREFIX, so PYTHONDONTWRITEBYTECODE in a developer's
environment, or a source checkout without __pycache__, does not make soptui compile its own modules at
every start while Textual's come precompiled from site-packages (it added about 10 ms of the ~75 ms gap).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HELLO = """
import os
from textual.app import App
from textual.widgets import Static

class Hello(App):
    def compose(self):
        yield Static("Hello, world")

async def pilot(p):
    await p.pause()
    os.write(1, b"painted\\n")  # Textual captures print() while running
    p.app.exit()

Hello().run(headless=True, auto_pilot=pilot)
"""

SOPTUI = """
import os
import sys
from soptui.core.storecheck import precheck
from soptui.__main__ import run_app

async def pilot(p):
    await p.pause()
    from soptui.screens.signin import SignInScreen
    assert isinstance(p.app.screen, SignInScreen), p.app.screen
    os.write(1, b"painted\\n")  # Textual captures print() while running
    while not p.app.store_ready.is_set():  # then: the store is open, sign-in accepted
        await p.pause(0.002)
    os.write(1, b"ready\\n")
    p.app.exit()

precheck(sys.argv[1])
run_app(sys.argv[1], auto_pilot=pilot)
"""


def _run(code: str, *args: str, env: dict[str, str] | None = None) -> dict[str, float]:
    """Seconds from spawn to each line the child prints."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    marks = {}
    for line in proc.stdout:
        marks[line.strip()] = time.perf_counter() - start
    if proc.wait() != 0:
        raise RuntimeError("the start-up driver failed")
    return marks


def run(runs: int = 9) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "start.db")
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys\nfrom soptui.services.store import open_store\n"
                "from soptui.services import auth\nopen_store(sys.argv[1])\n"
                "auth.add_user('admin','secret12','А','Б',position='admin',role='admin')",
                db,
            ],
            check=True,
        )
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        # warm the OS file cache and write both programs' bytecode: measure imports, not the disk or compiling
        _run(HELLO, env=env), _run(SOPTUI, db, env=env)
        hello, soptui, ready = [], [], []
        for _ in range(runs):  # interleaved, so a busy moment hits both alike
            hello.append(_run(HELLO, env=env)["painted"])
            marks = _run(SOPTUI, db, env=env)
            soptui.append(marks["painted"])
            ready.append(marks["ready"])
    h, s, r = (statistics.median(x) for x in (hello, soptui, ready))
    return [
        f"startup_hello_world_paint: {h * 1000:.0f} ms (reference)",
        f"startup_soptui_sign_in_paint: {s * 1000:.0f} ms (reference)",
        f"startup_ratio: {s / h:.2f} x (goal <= 1.3 x)",
        f"startup_store_ready: {r * 1000:.0f} ms (store open behind the sign-in screen; reference)",
    ]


if __name__ == "__main__":
    print("\n".join(run()))
