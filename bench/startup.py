"""Cold start to a painted first screen: soptui's sign-in vs a bare Textual hello-world."""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HELLO = """
import sys
from textual.app import App
from textual.widgets import Static

class Hello(App):
    def compose(self):
        yield Static("Hello, world")

async def pilot(p):
    await p.pause()
    p.app.exit()

Hello().run(headless=True, auto_pilot=pilot)
"""

SOPTUI = """
import sys
from soptui.storecheck import precheck
from soptui.__main__ import run_app

async def pilot(p):
    await p.pause()
    from soptui.screens.signin import SignInScreen
    assert isinstance(p.app.screen, SignInScreen), p.app.screen
    if len(sys.argv) > 2:  # also wait until the store is open and sign-in would be accepted
        while not p.app.store_ready.is_set():
            await p.pause(0.005)
    p.app.exit()

precheck(sys.argv[1])
run_app(sys.argv[1], auto_pilot=pilot)
"""


CPU: dict[str, list[float]] = {}


def _time(code: str, *args: str) -> float:
    """Wall time of one cold run; its CPU time (steadier on a busy machine) goes to CPU."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    CPU.setdefault(code[:40] + "|".join(args), []).append(cpu)
    return wall


def run(runs: int = 7) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "start.db")
        subprocess.run([sys.executable, "-c", "import sys\nfrom soptui.db import open_store\n"
                        "from soptui.services import auth\nopen_store(sys.argv[1])\n"
                        "auth.add_user('admin','secret12','А','Б',position='admin',role='admin')", db],
                       check=True)
        _time(HELLO), _time(SOPTUI, db)  # warm the OS file cache: measure imports, not the disk
        hello = statistics.median(_time(HELLO) for _ in range(runs))
        soptui = statistics.median(_time(SOPTUI, db) for _ in range(runs))
        ready = statistics.median(_time(SOPTUI, db, "ready") for _ in range(runs))
        cpu_ratio = (statistics.median(CPU[SOPTUI[:40] + db][1:])
                     / statistics.median(CPU[HELLO[:40]][1:]))
    return [
        f"startup_hello_world: {hello * 1000:.0f} ms (reference)",
        f"startup_soptui_sign_in: {soptui * 1000:.0f} ms (reference)",
        f"startup_ratio: {soptui / hello:.2f} x (goal <= 1.3 x)",
        f"startup_store_ready: {ready * 1000:.0f} ms (sign-in accepted from here; reference)",
        f"startup_ratio_cpu: {cpu_ratio:.2f} x (CPU time, steadier under load; goal <= 1.3 x)",
    ]


if __name__ == "__main__":
    print("\n".join(run()))
