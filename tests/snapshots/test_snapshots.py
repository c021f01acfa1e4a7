"""Snapshot tests: each section and the main dialogs on the demo store at 80x24 and 120x40.

One app run per scene takes both pictures: the scene is driven at one size, photographed, the terminal is
resized to the other size, and it is photographed again (half the scenes start at 80x24 and grow, half start
at 120x40 and shrink, so both sizes are seen fresh and after a resize). That halves the suite's snapshot work,
and it found two resize faults (the tables' rows and the calendar's months).

Update after an intended change of the look: ``pytest tests/snapshots --snapshot-update``, then review
the SVGs in tests/snapshots/__snapshots__/ (and regenerate the README image: tools/readme_screenshot.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_textual_snapshot import SVGImageExtension, normalize_svg
from scenes import SCENES as SECTION_SCENES
from scenes import SIZES, build_app, settle
from scenes_calls import SCENES as CALL_SCENES
from scenes_more import SCENES as MORE_SCENES

SCENES = {**SECTION_SCENES, **CALL_SCENES, **MORE_SCENES}
assert len(SCENES) == len(SECTION_SCENES) + len(CALL_SCENES) + len(MORE_SCENES), "a scene name is used twice"

SNAPSHOTS = Path(__file__).parent / "__snapshots__" / "test_snapshots"
README_IMAGE = Path(__file__).parents[2] / "docs" / "screenshots" / "today-120x40.svg"


class SizedSVG(SVGImageExtension):
    """`test_snapshot[scene]` asserting under the name "80x24" is the file `test_snapshot[scene-80x24].svg`."""

    @classmethod
    def get_snapshot_name(cls, *, test_location, index=0) -> str:
        return f"{test_location.snapshot_name[:-1]}-{index}]"


def size_name(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


def take_pictures(scene: str, sizes: list[tuple[int, int]]) -> list[str]:
    """Drive the scene at sizes[0], then photograph it at each size in turn (as take_svg_screenshot does)."""
    app = build_app()
    pictures: list[str] = []

    async def auto_pilot(pilot) -> None:
        await SCENES[scene](pilot)
        for size in sizes:
            if pictures:
                await pilot.resize_terminal(*size)
                await settle(pilot)
            await pilot.pause()
            await pilot.wait_for_scheduled_animations()
            await pilot.pause()
            await pilot.pause()
            await pilot.wait_for_scheduled_animations()
            pictures.append(app.export_screenshot(title=app.title, simplify=True))
        app.exit()

    app.run(headless=True, auto_pilot=auto_pilot, size=sizes[0])
    assert len(pictures) == len(sizes), "the app ended before every picture was taken"
    return pictures


@pytest.mark.parametrize("scene", list(SCENES))
def test_snapshot(snapshot, demo_store, scene, tmp_path_factory):
    sizes = SIZES if list(SCENES).index(scene) % 2 == 0 else SIZES[::-1]
    pictures = take_pictures(scene, sizes)
    sized = snapshot.use_extension(SizedSVG)
    for size, picture in zip(sizes, pictures, strict=True):
        stored = SNAPSHOTS / f"test_snapshot[{scene}-{size_name(size)}].svg"
        seen = tmp_path_factory.getbasetemp() / f"seen-{scene}-{size_name(size)}.svg"
        if not stored.exists() or normalize_svg(stored.read_text()) != normalize_svg(picture):
            seen.write_text(picture)  # to look at beside the stored one (rsvg-convert, a browser)
        assert sized(name=size_name(size)) == picture, f"{scene} at {size_name(size)}: what was seen is in {seen}"


def test_readme_image_is_the_today_snapshot():
    """docs/screenshots/today-120x40.svg is generated (tools/readme_screenshot.py), not drawn by hand."""
    snapshot = SNAPSHOTS / "test_snapshot[today-120x40].svg"
    assert normalize_svg(README_IMAGE.read_text()) == normalize_svg(snapshot.read_text())
