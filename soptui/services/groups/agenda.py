"""Today's club sessions for the Today screen (`services.agenda` collects them)."""

from __future__ import annotations

import datetime as dt

import peewee as pw

from soptui.core import clock
from soptui.core.session import Actor
from soptui.db import models as m
from soptui.domain.agenda import TodayItem
from soptui.services import access


def today_items(actor: Actor, today: dt.date) -> list:
    """Today's sessions of the clubs the actor leads (a head of department: the department's clubs; the
    centre's head: all), as TodayItems: only what the actor may open (access.require_session)."""
    access.require_staff(actor)  # access: staff

    q = (
        m.GroupSession.select(m.GroupSession, m.Club)
        .join(m.Club)
        .where((m.GroupSession.date == today) & (m.GroupSession.status != "cancelled"))
    )
    q = _visible_to(actor, q)
    items = []
    sessions = list(q.order_by(m.GroupSession.start_time))
    counts = {}
    for sid, present, marked in (
        m.Attendance.select(
            m.Attendance.session, pw.fn.SUM(m.Attendance.present.cast("integer")), pw.fn.COUNT(m.Attendance.id)
        )
        .where(m.Attendance.session.in_([s.id for s in sessions] or [0]))
        .group_by(m.Attendance.session)
        .tuples()
    ):
        counts[sid] = (int(present or 0), marked)
    for s in sessions:
        expected = (
            m.ClubMember.select()
            .where(
                (m.ClubMember.club == s.club_id)
                & (m.ClubMember.joined_on <= today)
                & (m.ClubMember.left_on.is_null() | (m.ClubMember.left_on > today))
            )
            .count()
        )
        topic = s.topic or "занятие"
        if s.status == "held":
            p, k = counts.get(s.id, (0, 0))
            what, state = f"{topic} · проведено: присутствовали {p} из {k}", "done"
        else:
            what, state = f"{topic} · перекличка: {expected} участн. (Enter)", "today"
        items.append(
            TodayItem(
                "Занятия", f"{s.start_time}–{s.end_time}", s.club.name, what, state, ("session", s.id), s.start_time
            )
        )
    items.extend(_passed_sessions(actor, today))
    return items


PASSED_DAYS = 60  # how far back a session that was neither held nor cancelled is still asked about


def _passed_sessions(actor: Actor, today: dt.date) -> list:
    """Sessions whose day has passed with no roll call and no cancellation: they stay on Today as
    overdue until closed (the roll call saved, or the session cancelled with its reason)."""
    q = (
        m.GroupSession.select(m.GroupSession, m.Club)
        .join(m.Club)
        .where(
            (m.GroupSession.date < today)
            & (m.GroupSession.date >= today - dt.timedelta(days=PASSED_DAYS))
            & (m.GroupSession.status == "planned")
        )
    )
    q = _visible_to(actor, q)
    return [
        TodayItem(
            "Занятия",
            f"{clock.fmt_date(s.date)} {s.start_time}",
            s.club.name,
            f"{s.topic or 'занятие'} прошло без переклички: проведите её (Enter) или отмените занятие с причиной",
            "overdue",
            ("session", s.id),
            f"{s.date.isoformat()} {s.start_time}",
        )
        for s in q.order_by(m.GroupSession.date, m.GroupSession.start_time).limit(100)
    ]


def _visible_to(actor: Actor, q):
    """Sessions of the clubs the actor leads; a head's: also the department's clubs; the centre's head: all.
    The same rule as access.require_club, so every session listed opens."""
    if actor.is_head and actor.sees_all_departments:
        return q
    led = m.Club.id.in_(m.ClubLeader.select(m.ClubLeader.club).where(m.ClubLeader.staff == actor.id))
    if actor.is_head:
        return q.where(led | (m.Club.department == actor.department_id))
    return q.where(led)
