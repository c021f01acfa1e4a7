"""Opening the store for the app and the command line: connect, migrate, load calendar overrides."""

from __future__ import annotations

import os

from soptui import db
from soptui.services import calendar


def open_store(url_or_path: str | os.PathLike | None = None, demo: bool = False):
    """Open, bind and migrate the store, then load the administrator's production-calendar overrides."""
    database = db.open_store(url_or_path, demo=demo)
    calendar.load_overrides()
    return database


def is_open() -> bool:
    """Whether a store is already bound in this process (tests and the demo build bind it early)."""
    from soptui.db.connection import db as proxy

    return proxy.obj is not None
