"""Snapshot tests: each section and the main dialogs on the demo store at 80x24 and 120x40.

Update after an intended change of the look: ``pytest tests/snapshots --snapshot-update``, then review
the SVGs in tests/snapshots/__snapshots__/ (and regenerate the README image: tools/readme_screenshot.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_textual_snapshot import normalize_svg
from scenes import SCENES as SECTION_SCENES
from scenes import SIZES, build_app
from scenes_calls import SCENES as CALL_SCENES
from scenes_more import SCENES as MORE_SCENES

SCENES = {**SECTION_SCENES, **CALL_SCENES, **MORE_SCENES}
assert len(SCENES) == len(SECTION_SCENES) + len(CALL_SCENES) + len(MORE_SCENES), "a scene name is used twice"

SNAPSHOTS = Path(__file__).parent / "__snapshots__" / "test_snapshots"
README_IMAGE = Path(__file__).parents[2] / "docs" / "screenshots" / "today-120x40.svg"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("scene", list(SCENES))
def test_snapshot(snap_compare, demo_store, scene, size):
    assert snap_compare(build_app(), terminal_size=size, run_before=SCENES[scene])


def test_readme_image_is_the_today_snapshot():
    """docs/screenshots/today-120x40.svg is generated (tools/readme_screenshot.py), not drawn by hand."""
    snapshot = SNAPSHOTS / "test_snapshot[today-120x40].svg"
    assert normalize_svg(README_IMAGE.read_text()) == normalize_svg(snapshot.read_text())
