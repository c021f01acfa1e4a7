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
    id: int = 0


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
        # One statement: two sessions saving the same draft at once (two terminals of one person) cannot both
        # insert it, on either engine (PostgreSQL raised a unique violation on draft_staff_id_key).
        m.Draft.insert(staff=owner, key=key, payload=text, created_at=now, updated_at=now).on_conflict(
            conflict_target=[m.Draft.staff, m.Draft.key],
            update={m.Draft.payload: text, m.Draft.updated_at: now, m.Draft.version: m.Draft.version + 1},
        ).execute()


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
            result.append(DraftInfo(row.key, value, row.updated_at, row.id))
    return result


# --- «Незавершённое»: the drafts as Today items ------------------------------------------------------

UNFINISHED = "Незавершённое"


def _client_name(client_id: str) -> str:
    c = m.Client.get_or_none(m.Client.id == int(client_id)) if client_id.isdigit() else None
    return f"{c.last_name} {c.first_name} {c.patronymic or ''}".strip() if c else "клиент удалён"


def _session_name(session_id: str) -> str:
    s = m.GroupSession.get_or_none(m.GroupSession.id == int(session_id)) if session_id.isdigit() else None
    return f"{s.club.name}, {clock.fmt_date(s.date)}" if s else "занятие удалено"


def _visit_client(visit_id: str) -> str:
    v = m.PatronageVisit.get_or_none(m.PatronageVisit.id == int(visit_id)) if visit_id.isdigit() else None
    return _client_name(str(v.client_id)) if v else "визит удалён"


def _describe(key: str, values: dict[str, Any]) -> tuple[str, str] | None:
    """(who, what) of a draft for the «Незавершённое» list; None for a key that is not a form's."""
    parts = key.split(":")
    typed = " ".join(str(values.get(k) or "") for k in ("last_name", "first_name", "rf-last", "rf-first")).strip()
    match parts:
        case ["client", "new"]:
            return typed or "новый клиент", "новый клиент: форма не сохранена"
        case ["client", cid]:
            return _client_name(cid), "изменения карточки клиента не сохранены"
        case ["referral", "new"]:
            return typed or "новый клиент", "приём обращения не завершён"
        case ["referral", "client", cid]:
            return _client_name(cid), "приём обращения не завершён"
        case ["person", cid, *_]:
            return _client_name(cid), "представитель или родственник не сохранён"
        case ["visit-plan", "new", cid]:
            return _client_name(cid), "план визита не сохранён"
        case ["visit-plan", vid]:
            return _visit_client(vid), "изменения визита не сохранены"
        case ["visit", vid]:
            return _visit_client(vid), "визит начат и не завершён"
        case ["act", vid, _kind]:
            return _visit_client(vid), "правка завершённого акта не сохранена"
        case ["club", _cid]:
            return str(values.get("name") or "новый клуб"), "клуб: форма не сохранена"
        case ["session", sid]:
            return _session_name(sid), "отчёт о занятии не сохранён"
        case ["rollcall", sid]:
            return _session_name(sid), "перекличка не сохранена"
    return None


def today_items(actor, today: dt.date) -> list:
    """The signed-in person's unfinished forms, newest first: Enter on one resumes it where it was."""
    from soptui.domain.agenda import TodayItem

    owner = _staff(None)
    if actor is None or owner != actor.id:
        return []  # drafts are their owner's only
    items = []
    for d in list_drafts():
        described = _describe(d.key, d.payload.get("values") if isinstance(d.payload.get("values"), dict) else {})
        if described is None:
            continue
        who, what = described
        when = f"{d.updated_at:%d.%m.%Y %H:%M}"
        items.append(TodayItem(UNFINISHED, when, who, what, "today", ("draft", d.id), d.updated_at.isoformat()))
    return items  # list_drafts gives them newest first


def key_of(draft_id: int) -> str | None:
    """The key of one of the signed-in person's drafts (None: not theirs, or gone)."""
    owner = _staff(None)
    row = m.Draft.get_or_none((m.Draft.id == draft_id) & (m.Draft.staff == owner))
    return row.key if row else None


__all__ = ["DraftInfo", "save_draft", "load_draft", "delete_draft", "list_drafts", "today_items", "key_of"]
