"""Patronage on the Today screen: visits today, overdue acts and call-drafted visits to confirm."""

from __future__ import annotations

import datetime as dt

import peewee as pw

from soptui.core import clock, session
from soptui.db import models as m
from soptui.domain.agenda import TodayItem
from soptui.domain.labels import VISIT_KINDS
from soptui.services import access
from soptui.services.patronage._common import visit_cards, visit_query


def today_items(actor: session.Actor, today: dt.date) -> list[TodayItem]:
    """Visits today, overdue acts and unconfirmed call-drafted visits of the signed-in person."""
    access.require_staff(actor)  # access: staff

    items: list[TodayItem] = []
    mine = m.VisitStaff.select(m.VisitStaff.visit).where(m.VisitStaff.staff == actor.id)
    lo = dt.datetime.combine(today, dt.time())
    hi = lo + dt.timedelta(days=1)
    todays = visit_cards(
        visit_query()
        .where(
            (m.PatronageVisit.planned_start >= lo)
            & (m.PatronageVisit.planned_start < hi)
            & m.PatronageVisit.status.in_(["planned", "done"])
            & m.PatronageVisit.id.in_(mine)
        )
        .order_by(m.PatronageVisit.planned_start)
    )
    now = clock.now()
    for c in todays:
        if c.status == "done":
            state, what = "done", "визит проведён"
        else:
            state = "overdue" if c.start + dt.timedelta(minutes=c.work_minutes) < now else "today"
            what = f"{VISIT_KINDS.get(c.kind, c.kind)} патронаж, выход в {c.busy_from:%H:%M}"
            if c.transport_needed:
                what += ", нужен транспорт"
        items.append(
            TodayItem(
                "Патронаж", f"{c.start:%H:%M}", c.client_full_name, what, state, ("visit", c.id), c.start.isoformat()
            )
        )
    # what is overdue: the person's own visits; a head's also her department's (the centre's head: every one),
    # with who was to do it, so that the head sees the colleague's unfinished visit before the audit does
    overdue_scope = _overdue_scope(actor, mine)

    def whose(c) -> str:  # early in the line: a narrow Today cuts its end
        if actor.id in c.staff_ids:
            return ""
        return f" ({', '.join(c.staff_names)})" if c.staff_names else " (сотрудники не назначены)"

    # planned visits in the past that were never completed: the act is overdue
    past = visit_cards(
        visit_query()
        .where((m.PatronageVisit.planned_start < lo) & (m.PatronageVisit.status == "planned") & overdue_scope)
        .order_by(m.PatronageVisit.planned_start)
        .limit(100)
    )
    for c in past:
        items.append(
            TodayItem(
                "Патронаж",
                clock.fmt_date(c.start.date()),
                c.client_full_name,
                f"визит не завершён{whose(c)}: нет акта / отметки о проведении",
                "overdue",
                ("visit", c.id),
                c.start.isoformat(),
            )
        )
    # done visits with no completed act (e.g. the act was reopened)
    no_act = ~pw.fn.EXISTS(
        m.VisitAct.select(m.VisitAct.id).where(
            (m.VisitAct.visit == m.PatronageVisit.id) & (m.VisitAct.is_draft == False)
        )
    )  # noqa: E712
    for c in visit_cards(visit_query().where((m.PatronageVisit.status == "done") & no_act & overdue_scope).limit(100)):
        items.append(
            TodayItem(
                "Патронаж",
                clock.fmt_date(c.start.date()),
                c.client_full_name,
                f"акт по проведённому визиту не оформлен{whose(c)}",
                "overdue",
                ("visit", c.id),
                c.start.isoformat(),
            )
        )
    # visits drafted by the call teleprompter, to confirm
    dq = visit_query().where(m.PatronageVisit.status == "draft")
    drafted = [
        c
        for c in visit_cards(dq.order_by(m.PatronageVisit.planned_start).limit(100))
        if actor.id in c.staff_ids or (not c.staff_ids and _drafted_for(c.id, actor))
    ]
    for c in drafted:
        items.append(
            TodayItem(
                "Патронаж",
                clock.fmt_datetime(c.start),
                c.client_full_name,
                "визит из звонка: подтвердите и назначьте сотрудников"
                + (": его время прошло, перенесите или отмените" if c.start.date() < today else ""),
                # a past day is never «сегодня»; a later one is to confirm in time
                "overdue" if c.start.date() < today else ("today" if c.start.date() == today else "ok"),
                ("visit", c.id),
                c.start.isoformat(),
            )
        )
    return items


def _overdue_scope(actor: session.Actor, mine):
    """The visits whose overdue act shows on the actor's Today: their own; a head's department's too."""
    own = m.PatronageVisit.id.in_(mine)
    if not actor.is_head:
        return own
    if actor.sees_all_departments:
        return m.PatronageVisit.id.is_null(False)  # every visit
    department = m.Client.select(m.Client.id).where(m.Client.department == actor.department_id)
    return own | m.PatronageVisit.client.in_(department)


def _drafted_for(visit_id: int, actor: session.Actor) -> bool:
    """An unassigned call-drafted visit concerns the caller, and the head of the client's department."""
    # one query (the visit, its call's caller, its client): Today asks this for every drafted visit
    row = (
        m.PatronageVisit.select(m.PhoneCall.staff, m.Client.department, m.Client.assigned_staff)
        .join(m.Client, on=(m.PatronageVisit.client == m.Client.id))
        .switch(m.PatronageVisit)
        .join(m.PhoneCall, pw.JOIN.LEFT_OUTER, on=(m.PatronageVisit.drafted_by_call == m.PhoneCall.id))
        .where(m.PatronageVisit.id == visit_id)
        .tuples()
        .first()
    )
    if row is None:
        return False
    caller, department_id, assigned_staff_id = row
    if caller is not None and caller == actor.id:
        return True
    if actor.is_head:
        return actor.department_id is None or department_id in (actor.department_id, None)
    return assigned_staff_id == actor.id
