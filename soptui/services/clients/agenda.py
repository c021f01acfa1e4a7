"""The registry's Today items: IPRA running out (or just ended) for the person's own clients."""

from __future__ import annotations

import datetime as dt

from soptui.core import clock, session
from soptui.core.text import full_name
from soptui.db import models as m
from soptui.domain.agenda import TodayItem
from soptui.domain.clients import ipra_warning
from soptui.services import access


def today_items(actor: session.Actor, today: dt.date) -> list[TodayItem]:
    """IPRA ending within 30 days (or ended) for clients the person is responsible for.

    Heads see those of every client they may see; specialists their own clients.
    """
    access.require_staff(actor)  # access: staff

    q = m.Client.select(
        m.Client.id, m.Client.last_name, m.Client.first_name, m.Client.patronymic, m.Client.ipra_end
    ).where(
        m.Client.ipra_end.is_null(False)
        & (m.Client.ipra_end <= today + dt.timedelta(days=30))
        & (m.Client.ipra_end >= today - dt.timedelta(days=30))
        & m.Client.status.in_(["potential", "served"])
    )
    if actor.is_head:
        if not actor.sees_all_departments and actor.department_id:
            q = q.where(m.Client.department == actor.department_id)
    else:
        q = q.where(m.Client.assigned_staff == actor.id)
    items = []
    for c in q.order_by(m.Client.ipra_end).limit(100):
        days = (c.ipra_end - today).days
        state = "overdue" if days < 0 else ("today" if days == 0 else "ok")
        what = ipra_warning(c.ipra_end, today) or f"ИПРА истекает {clock.fmt_date(c.ipra_end)}"
        items.append(
            TodayItem(
                "ИПРА",
                f"до {clock.fmt_date(c.ipra_end)}",
                full_name(c.last_name, c.first_name, c.patronymic),
                what,
                state,
                ("client", c.id),
                c.ipra_end.isoformat(),
            )
        )
    return items
