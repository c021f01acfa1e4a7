"""Write docs/screenshots/today-120x40.svg, the README's picture of Today, from the snapshot tests' code path.

The demo store is built in a temporary folder, dated by the tests' fixed clock, and the picture is taken by
tests/snapshots/scenes.py exactly as the snapshot test "today-120x40" takes it, so the image is never drawn
by hand and test_readme_image_is_the_today_snapshot notices when it falls behind.

    python3 tools/readme_screenshot.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots" / "today-120x40.svg"


def main() -> int:
    for path in (ROOT, ROOT / "tests", ROOT / "tests" / "snapshots"):
        sys.path.insert(0, str(path))
    from scenes import screenshot

    from soptui.core import clock, session
    from soptui.db.connection import db
    from soptui.demo import build_demo
    from soptui.services.store import open_store

    from conftest import FIXED_NOW

    clock.set_fixed(FIXED_NOW)
    with tempfile.TemporaryDirectory() as folder:
        database = open_store(Path(folder) / "demo.db")
        build_demo(n_clients=60, today=FIXED_NOW.date())  # as the tests' demo_template
        session.set_actor(None)
        try:
            svg = screenshot("today", (120, 40))
        finally:
            database.close()
            db.initialize(None)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(svg, encoding="utf-8")
    print(OUT)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
