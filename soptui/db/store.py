"""Write primitives every service uses: audited create/update/delete with optimistic locking."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, TypeVar

import peewee as pw

from soptui.core import clock
from soptui.db import models as m
from soptui.db.connection import write_transaction

T = TypeVar("T", bound=m.BaseModel)


class ConflictError(Exception):
    """Someone else saved the record since it was opened; `current` holds their version."""

    def __init__(self, current: dict[str, Any], changed: dict[str, tuple[Any, Any]]):
        super().__init__("Запись изменена другим пользователем")
        self.current = current
        self.changed = changed  # field -> (value you started from, their value)


class RecordGone(Exception):
    """The record was deleted by someone else while it was open."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, pw.Model):
        return value.get_id()
    return value


def row_dict(instance: pw.Model) -> dict[str, Any]:
    """Column values of a model instance, foreign keys as ids."""
    return {f.name: instance.__data__.get(f.name) for f in instance._meta.sorted_fields}


def audit(
    action: str, table: str, record_id: int | None, changes: dict | None = None, staff_id: int | None = None
) -> None:
    """Append to the audit log: inside the write transaction of the change it records, or alone (a file viewed,
    a sign-in, a printout), when it is a write of its own that reads no record's rules (audit_chain.append)."""
    from soptui.core import clock, session
    from soptui.db import audit_chain

    audit_chain.append(
        clock.now(),
        staff_id if staff_id is not None else session.actor_id(),
        action,
        table,
        record_id,
        json.dumps(
            {k: _jsonable(v) for k, v in (changes or {}).items()}, ensure_ascii=False, default=_jsonable
        ),  # [old, new] pairs of dates too
    )


def create(model: type[T], **fields: Any) -> T:
    """Insert a row and audit it; call inside write_transaction()."""
    from soptui.db import prepared

    instance = prepared.insert(model, fields)
    audit(
        "create",
        model._meta.table_name,
        instance.get_id(),
        {k: v for k, v in fields.items() if k not in ("password_hash",)},
    )
    return instance


def update_versioned(
    model: type[T],
    record_id: int,
    expected_version: int,
    changes: dict[str, Any],
    original: dict[str, Any] | None = None,
    audit_it: bool = True,
    current: T | None = None,
) -> T:
    """Update a row only if nobody saved it since `expected_version`; audit the diff.

    Raises RecordGone if it was deleted, ConflictError (with the fields that
    differ from `original`, the values the editor started from) if it moved on.
    `audit_it=False` for drafts written as the user types (the finished record is audited).
    `current`: the row as the caller has just read it, inside this write transaction or just before it: it is
    not read again. Whatever happened since, the UPDATE is made only where the version is still
    `expected_version` (else ConflictError), so the diff audited is against what was really there. Returns the
    row as written (the values applied to the row read; not read back).
    Call inside write_transaction().
    """
    if current is None:
        current = model.get_or_none(model._meta.primary_key == record_id)
    if current is None:
        raise RecordGone()
    if current.version != expected_version:
        theirs = row_dict(current)
        base = original or {}
        changed = {
            k: (base.get(k), theirs.get(k))
            for k in theirs
            if k in base and base.get(k) != theirs.get(k) and k not in ("version", "updated_at")
        }
        raise ConflictError(theirs, changed)
    before = row_dict(current)
    diff = {k: [before.get(k), v] for k, v in changes.items() if before.get(k) != v}
    values = dict(changes)
    values["version"] = expected_version + 1
    values["updated_at"] = clock.now()
    from soptui.db import prepared

    updated = prepared.update_versioned(model, record_id, expected_version, values)
    if updated != 1:  # saved (or deleted) by someone else since `current` was read
        now = model.get_or_none(model._meta.primary_key == record_id)
        if now is None:
            raise RecordGone()
        raise ConflictError(row_dict(now), {})
    if diff and audit_it:
        audit("update", model._meta.table_name, record_id, {k: v for k, v in diff.items() if k != "password_hash"})
    for name, value in values.items():
        setattr(current, name, value)
    current._dirty.clear()
    return current


def delete(model: type[T], record_id: int) -> None:
    """Delete a row and audit what it held; call inside write_transaction()."""
    current = model.get_or_none(model._meta.primary_key == record_id)
    if current is None:
        raise RecordGone()
    snapshot = {k: v for k, v in row_dict(current).items() if k != "password_hash"}
    current.delete_instance()
    audit("delete", model._meta.table_name, record_id, snapshot)


__all__ = [
    "ConflictError",
    "RecordGone",
    "audit",
    "create",
    "update_versioned",
    "delete",
    "row_dict",
    "write_transaction",
]
