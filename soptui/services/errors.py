"""One exception per failure kind, for the screens to catch without importing the store.

The store raises `ConflictError` (someone saved the record in between), `RecordGone` (it was deleted)
and `StoreError` (the file or server cannot be used); the services add `AccessDenied`. Text holding NUL or
another control character is refused on every engine with `ControlCharacters` (a ValueError whose Russian
message the forms show at the field).
"""

from __future__ import annotations

from soptui.core.storecheck import StoreError
from soptui.core.text import ControlCharacters
from soptui.db.store import ConflictError, RecordGone


class AccessDenied(Exception):
    """The signed-in person may not see or change this record."""


__all__ = ["AccessDenied", "ConflictError", "ControlCharacters", "RecordGone", "StoreError"]
