"""Drafts: unsaved form contents saved as the user types, per member of staff.

Any form (client, call, visit act...) stores a JSON-able dict under a key such as
"client:new", "client:42", "call:17", so a dropped SSH session loses nothing and
reopening the form offers to resume. Drafts belong to the signed-in member of
staff (`session.actor_id()`), or to an explicit `staff_id`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from soptui.core import clock, session
from soptui.db import models as m
from soptui.db.connection import write_transaction
from soptui.services import access


@dataclass(frozen=True)
class DraftInfo:
    """One saved draft, for a "resume your unfinished work" list."""

    key: str
    payload: dict[str, Any]
    updated_at: dt.datetime


def _default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (set, tuple)):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


@access.policy(access.OWN)
def _staff(staff_id: int | None) -> int | None:
    """Whose drafts: always the signed-in person's own; asking for a colleague's is refused (issue 10)."""
    actor = session.current()
    if actor is None:
        return None  # nobody signed in: nothing to attach a draft to
    if staff_id is not None and staff_id != actor.id:
        raise access.AccessDenied("Черновики других сотрудников недоступны.")
    return actor.id


def save_draft(key: str, payload: dict[str, Any], staff_id: int | None = None) -> None:
    """Create or replace the draft `key` of the signed-in member of staff."""
    owner = _staff(staff_id)
    if owner is None:
        return  # nobody signed in (e.g. a test without a session): nothing to attach it to
    text = json.dumps(payload, ensure_ascii=False, default=_default)
    now = clock.now().replace(microsecond=0)
    with write_transaction():
        updated = (
            m.Draft.update(payload=text, updated_at=now, version=m.Draft.version + 1)
            .where((m.Draft.staff == owner) & (m.Draft.key == key))
            .execute()
        )
        if not updated:
            m.Draft.create(staff=owner, key=key, payload=text, created_at=now, updated_at=now)


def load_draft(key: str, staff_id: int | None = None) -> dict[str, Any] | None:
    """The saved payload of draft `key`, or None."""
    owner = _staff(staff_id)
    if owner is None:
        return None
    row = m.Draft.get_or_none((m.Draft.staff == owner) & (m.Draft.key == key))
    if row is None:
        return None
    try:
        value = json.loads(row.payload)
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def delete_draft(key: str, staff_id: int | None = None) -> None:
    """Forget draft `key` (after the form was saved or the user discarded it)."""
    owner = _staff(staff_id)
    if owner is None:
        return
    with write_transaction():
        m.Draft.delete().where((m.Draft.staff == owner) & (m.Draft.key == key)).execute()


def list_drafts(prefix: str = "", staff_id: int | None = None) -> list[DraftInfo]:
    """Drafts of the signed-in member of staff whose key starts with `prefix`, newest first."""
    owner = _staff(staff_id)
    if owner is None:
        return []
    query = m.Draft.select().where(m.Draft.staff == owner)
    if prefix:
        query = query.where(m.Draft.key.startswith(prefix))
    result = []
    for row in query.order_by(m.Draft.updated_at.desc(), m.Draft.id.desc()):
        try:
            value = json.loads(row.payload)
        except (TypeError, ValueError):
            continue
        if isinstance(value, dict):
            result.append(DraftInfo(row.key, value, row.updated_at))
    return result


__all__ = ["DraftInfo", "save_draft", "load_draft", "delete_draft", "list_drafts"]
