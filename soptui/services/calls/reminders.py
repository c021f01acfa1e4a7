"""Reminders from calls (callbacks, control points, messenger sessions): open one, mark it done."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from soptui.core import clock
from soptui.core.text import full_name
from soptui.db import models as m
from soptui.db import store
from soptui.db.connection import write_transaction
from soptui.services import access
from soptui.services.calls._common import CallError, person_of


@dataclass(frozen=True)
class ReminderInfo:
    id: int
    kind: str
    client_id: int
    client_name: str
    due_at: dt.datetime
    text: str
    call_id: int | None
    sop: str
    person_kind: str
    person_id: int | None
    done_at: dt.datetime | None


def get_reminder(reminder_id: int) -> ReminderInfo:
    access.require_reminder(None, reminder_id)  # access: client
    r = m.Reminder.get_or_none(m.Reminder.id == reminder_id)
    if r is None:
        raise CallError("Напоминание не найдено.")
    client = r.client
    sop, kind, pid = "", "client", client.id
    if r.call_id:
        call = m.PhoneCall.get_or_none(m.PhoneCall.id == r.call_id)
        if call is not None:
            sop = call.sop
            kind, pid, _ = person_of(call)
    return ReminderInfo(
        r.id,
        r.kind,
        client.id,
        full_name(client.last_name, client.first_name, client.patronymic),
        r.due_at,
        r.text,
        r.call_id,
        sop,
        kind,
        pid,
        r.done_at,
    )


def complete_reminder(reminder_id: int, held: bool = True, reason: str = "") -> None:
    """Close a callback, control point or messenger session: done («held»), or — a session that did not
    take place — «not held» with its reason (CallError when the reason is empty). Either way it leaves Today."""
    access.require_reminder(None, reminder_id)  # access: client
    if not held and not reason.strip():
        raise CallError("Укажите, почему сеанс связи не состоялся.")
    with write_transaction():
        r = m.Reminder.get_or_none(m.Reminder.id == reminder_id)
        if r is None or r.done_at is not None:
            return
        store.update_versioned(
            m.Reminder,
            r.id,
            r.version,
            {"done_at": clock.now(), "closed_as": "held" if held else "not_held", "closed_reason": reason.strip()},
        )
