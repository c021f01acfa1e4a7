"""Snapshot scenes of the dialogs of calls, clients and sign-in (issue 15 point 1: every dialog at 80x24 and 120x40).

Each scene signs in and drives the app like a user to the dialog, then settles it (scenes._settle).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual.pilot import Pilot

SCENES: dict[str, Callable[[Pilot], Awaitable[None]]] = {}
