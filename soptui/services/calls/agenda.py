"""The calls' part of Today: callbacks, control points and sessions due, calls waiting or unfinished."""

from __future__ import annotations

import datetime as dt

from soptui.core import clock, session
from soptui.core.text import full_name
from soptui.db import models as m
from soptui.domain.agenda import TodayItem
from soptui.services import access
from soptui.services.calls._common import call_scope, notice_label
from soptui.services.calls.lists import scope_for


def _state_of(day: dt.date, today: dt.date) -> str:
    """A past day is «просрочено», never «сегодня»; a later one is in time."""
    return "overdue" if day < today else ("today" if day == today else "ok")


def today_items(actor: session.Actor, today: dt.date) -> list:
    """Callbacks, control points, messenger sessions due today or overdue; calls waiting on a notice."""
    access.require_staff(actor)  # access: staff

    staff_id, department_id = scope_for(actor)
    items = []
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min)
    query = (
        m.Reminder.select(m.Reminder, m.Client)
        .join(m.Client)
        .where(
            m.Reminder.done_at.is_null()
            & (m.Reminder.due_at < end)
            & m.Reminder.kind.in_(("callback", "control_point", "messenger_session", "meeting"))
        )
        .order_by(m.Reminder.due_at)
        .limit(200)
    )
    if staff_id is not None:
        query = query.where(m.Reminder.staff == staff_id)
    if department_id is not None:
        query = query.where(m.Client.department == department_id)
    labels = {
        "callback": "перезвонить",
        "control_point": "контрольная точка",
        "messenger_session": "сеанс связи с родственником",
        "meeting": "встреча в учреждении",
    }
    for r in query:
        cl = r.client
        state = _state_of(r.due_at.date(), today)
        when = f"{r.due_at:%H:%M}" if r.due_at.date() == today else clock.fmt_datetime(r.due_at)
        items.append(
            TodayItem(
                "Звонки",
                when,
                full_name(cl.last_name, cl.first_name, cl.patronymic),
                r.text or labels[r.kind],
                state,
                ("reminder", r.id),
                r.due_at.isoformat(),
            )
        )
    q = (
        m.PhoneCall.select(m.PhoneCall, m.Client)
        .join(m.Client)
        .where(m.PhoneCall.state == "in_progress")
        .order_by(m.PhoneCall.id)
        .limit(100)
    )
    for c in call_scope(q, staff_id, department_id):
        cl = c.client
        who = full_name(cl.last_name, cl.first_name, cl.patronymic)
        if c.notice_state:
            label = notice_label(c.notice_state, c.notice_sent_at, c.notice_call_at)
            due = c.notice_call_at or c.notice_sent_at
            state = _state_of(due.date() if due else today, today)
            when = f"{due:%H:%M}" if due and due.date() == today else clock.fmt_datetime(due)
            items.append(
                TodayItem(
                    "Звонки",
                    when,
                    who,
                    f"СОП {c.sop}, {c.callee_name}: {label}",
                    state,
                    ("call", c.id),
                    due.isoformat() if due else "",
                )
            )
        else:
            items.append(
                TodayItem(
                    "Звонки",
                    clock.fmt_datetime(c.updated_at),
                    who,
                    f"незавершённый звонок по СОП {c.sop}: {c.callee_name} — продолжить",
                    _state_of(c.updated_at.date(), today),  # a call left unfinished on a past day is overdue
                    ("call", c.id),
                    "",
                )
            )
    return items
