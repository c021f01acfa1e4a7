"""The roll-call (SOP 05 stage 3), the 2-per-week rule and the service log entry of each attended session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Iterable
from dataclasses import dataclass

import peewee as pw

from soptui.core import clock
from soptui.core import session as session_service
from soptui.core.text import short_name
from soptui.db import models as m
from soptui.db import prepared, store
from soptui.db.connection import write_transaction
from soptui.domain import groups as domain
from soptui.domain.groups import SessionRef
from soptui.domain.service_time import whole_minutes
from soptui.services import access
from soptui.services.errors import ConflictError
from soptui.services.groups._common import GroupError, LimitViolation, WeeklyLimitError, person_name, session_or_raise


@dataclass(frozen=True)
class RollCallRow:
    client_id: int
    name: str
    present: bool
    absence_reason: str
    override_reason: str
    override_by: str
    marked: bool  # an Attendance row exists


@dataclass(frozen=True)
class RollCall:
    session_id: int
    club_id: int
    club_name: str
    date: dt.date
    start_time: str
    end_time: str
    topic: str
    goal: str
    status: str
    rows: tuple[RollCallRow, ...]


@dataclass(frozen=True)
class SaveResult:
    present: int
    absent: int
    entries_created: int
    entries_removed: int


def attended_refs(client_id: int, day: dt.date, exclude: int) -> list[SessionRef]:
    monday, sunday = domain.week_bounds(day)

    def build():  # the five columns the weekly cap names, its SQL kept: every roll call runs it per client
        return (
            m.Attendance.select(
                m.GroupSession.id, m.Club.name, m.GroupSession.date, m.GroupSession.start_time, m.GroupSession.end_time
            )
            .join(m.GroupSession)
            .join(m.Club)
            .where(
                (m.Attendance.client == 0)
                & m.Attendance.present
                & (m.GroupSession.id != 0)
                & (m.GroupSession.status != "cancelled")
                & (m.GroupSession.date >= monday)
                & (m.GroupSession.date <= sunday)
            )
        )

    date_of = m.GroupSession.date.python_value
    cursor = prepared.execute("rollcall.attended_refs", build, (client_id, exclude, "cancelled", monday, sunday))
    return [SessionRef(sid, name, date_of(date), start, end) for sid, name, date, start, end in cursor.fetchall()]


def check_weekly_limit(day: dt.date, session_id: int, present: Iterable[int], approved: Container[int] = ()) -> None:
    """The 2-per-week rule of SOP 05 for the clients `present` at session `session_id` held on `day`: raises
    WeeklyLimitError naming, for each client who already attended two other sessions in day's calendar week,
    those sessions. `approved`: the clients a head allowed a third session this week (their reason recorded),
    left out. The roll call runs it for its marks, a moved session for its attendees on the new day (an
    approval holds for the week it was given in). Call inside write_transaction()."""
    over = []
    for client_id in present:
        if client_id in approved:
            continue
        others = domain.weekly_cap_conflict(day, attended_refs(client_id, day, exclude=session_id))
        if others:
            over.append((client_id, tuple(others)))
    if not over:
        return
    # names are read only when someone is over the weekly limit
    names = {c.id: person_name(c) for c in m.Client.select().where(m.Client.id.in_([cid for cid, _ in over]))}
    raise WeeklyLimitError(
        [
            LimitViolation(cid, names.get(cid, ""), others, domain.limit_message(names.get(cid, ""), others))
            for cid, others in over
        ]
    )


def roll_call(session_id: int) -> RollCall:
    """The members expected at a session (active on its date) with their marks so far."""
    access.require_session(None, session_id)  # access: department
    s = session_or_raise(session_id)
    club = s.club
    marks = {
        a.client_id: a
        for a in m.Attendance.select(m.Attendance, m.Staff)
        .join(m.Staff, pw.JOIN.LEFT_OUTER, on=(m.Attendance.override_by == m.Staff.id))
        .where(m.Attendance.session == s.id)
    }
    clients = {
        c.id: c
        for c in m.Client.select()
        .join(m.ClubMember)
        .where(
            (m.ClubMember.club == club.id)
            & (m.ClubMember.joined_on <= s.date)
            & (m.ClubMember.left_on.is_null() | (m.ClubMember.left_on > s.date))
        )
    }
    missing = [cid for cid in marks if cid not in clients]
    if missing:
        clients.update({c.id: c for c in m.Client.select().where(m.Client.id.in_(missing))})
    rows = []
    for c in sorted(clients.values(), key=lambda c: (c.name_key, c.id)):
        a = marks.get(c.id)
        by = ""
        if a is not None and a.override_by_id:
            st = m.Staff.get_or_none(m.Staff.id == a.override_by_id)
            by = short_name(st.last_name, st.first_name, st.patronymic) if st else ""
        rows.append(
            RollCallRow(
                c.id,
                person_name(c),
                bool(a and a.present),
                a.absence_reason if a else "",
                a.override_reason if a else "",
                by,
                a is not None,
            )
        )
    return RollCall(s.id, club.id, club.name, s.date, s.start_time, s.end_time, s.topic, s.goal, s.status, tuple(rows))


def _override_approver(approval: int | tuple[str, str] | None, session_id: int) -> int:
    """Who allows a third session this week (SOP 05): the signed-in head, or a head's own password now; a head
    of the club's own department, or the head of the centre (a head of another department once could)."""
    from soptui.core import session as session_service
    from soptui.services import auth

    if isinstance(approval, tuple):
        head_id = auth.verify_head_approval(*approval)
        if head_id is None:
            raise GroupError(
                "Неверный логин или пароль, или это не заведующий отделением: третье занятие не разрешено."
            )
        head = auth.actor_for(m.Staff.get_by_id(head_id))
    else:
        head = session_service.current()
        if head is None or not head.is_head or approval not in (None, head.id):
            raise GroupError("Разрешить третье занятие в неделю может только заведующий отделением (своим паролем).")
    club = (
        m.Club.select(m.Club.department)
        .join(m.GroupSession, on=(m.GroupSession.club == m.Club.id))
        .where(m.GroupSession.id == session_id)
        .first()
    )
    try:
        access.require_head(head, club.department_id if club is not None else None)
    except access.AccessDenied:
        raise GroupError(
            "Третье занятие в неделю разрешает заведующий отделением, к которому относится клуб, "
            "или заведующий центром."
        ) from None
    return head.id


def override_approval_problem(session_id: int, login: str, password: str) -> str:
    """Why this head's login and password cannot allow a third session of this club this week ("" if they can):
    the roll-call's dialog answers at once; the save checks again."""
    access.require_session(None, session_id)  # access: department
    try:
        _override_approver((login, password), session_id)
    except GroupError as exc:
        return str(exc)
    return ""


def save_roll_call(
    session_id: int,
    marks: dict[int, tuple[bool, str]],
    overrides: dict[int, str] | None = None,
    override_by: int | tuple[str, str] | None = None,
    staff_id: int | None = None,
    expected: dict[int, tuple[bool, str]] | None = None,
) -> SaveResult:
    """Store the roll-call: one Attendance per client, one service log entry per present client.

    marks: client id -> (present, absence reason). overrides: client id -> the
    head's reason to allow a third session this week: approved by the signed-in head, or by a head's
    (login, password) given at this moment as `override_by`, checked here (a bare staff id is no
    proof). Raises WeeklyLimitError naming the other sessions,
    saving nothing, if anyone would exceed 2 sessions in the calendar week.
    Correcting a mark removes or adds the service entry: never counted twice.
    expected: the marks as the form loaded them; when a colleague has saved other marks for any of these
    clients since, ConflictError (their marks) is raised and nothing is saved.
    """
    access.require_session(None, session_id)  # access: department
    overrides = {k: v.strip() for k, v in (overrides or {}).items() if v and v.strip()}
    recorder = session_service.actor_id()
    staff_id = _performer(session_id, staff_id if staff_id is not None else recorder)
    if overrides:
        override_by = _override_approver(override_by, session_id)
    created = removed = 0
    # the session's marks and, for the weekly limit, each marked client's other sessions: theirs alone
    with write_transaction(scope=[("group_session", session_id), *(("client", c) for c in marks)]):
        s = session_or_raise(session_id)
        if s.status == "cancelled":
            raise GroupError("Занятие отменено: отметки не сохраняются. Восстановите занятие.")
        if s.date > clock.today():  # the service log holds only services rendered
            raise GroupError(
                f"Занятие {clock.fmt_date(s.date)} ещё не наступило: перекличку проводят в день занятия или позже."
            )
        existing = {a.client_id: a for a in prepared.rows(m.Attendance, session=s.id)}
        if expected is not None:
            stored = {cid: (a.present, a.absence_reason) for cid, a in existing.items()}
            moved = {
                cid: (expected.get(cid), stored.get(cid))
                for cid in marks
                if stored.get(cid, (False, "")) != tuple(expected.get(cid, (False, "")))
            }
            if moved:
                raise ConflictError({cid: list(v) for cid, v in stored.items()}, moved)
        approved = set(overrides) | {cid for cid, a in existing.items() if a.present and a.override_reason}
        check_weekly_limit(s.date, s.id, [cid for cid, (present, _) in marks.items() if present], approved)
        minutes = domain.minutes_between(s.start_time, s.end_time)
        for client_id, (present, reason) in marks.items():
            reason = "" if present else reason.strip()
            a = existing.get(client_id)
            values = {"present": present, "absence_reason": reason}
            if client_id in overrides and present:
                values.update(override_reason=overrides[client_id], override_by=override_by)
            elif not present and a is not None and a.override_reason:
                values.update(override_reason="", override_by=None)  # no third session any more
            if a is None:
                a = store.create(m.Attendance, session=s.id, client=client_id, **values)
            else:
                before = {
                    "present": a.present,
                    "absence_reason": a.absence_reason,
                    "override_reason": a.override_reason,
                    "override_by": a.override_by_id,
                }
                after = {**before, **values}
                if after != before:  # `a` was read in this transaction: not read again
                    store.update_versioned(m.Attendance, a.id, a.version, values, current=a)
            c, r = _sync_service_entry(a.id, client_id, s, present, staff_id, minutes, recorder)
            created += c
            removed += r
        if created or removed:
            spread_report_minutes(s.id)  # the report's minutes follow the clients who came
        if s.status == "planned":
            store.update_versioned(m.GroupSession, s.id, s.version, {"status": "held"}, current=s)
    present_n = sum(1 for p, _ in marks.values() if p)
    return SaveResult(present_n, len(marks) - present_n, created, removed)


def _performer(session_id: int, who: int | None) -> int | None:
    """Who rendered the service: the one recording it if they lead the club, else its (first) leader. A head who
    types in the leader's roll call became the performer of every client's service (records state facts).
    Read before the writers' turn: the leaders of a club do not change by the minute."""
    leaders = [
        row[0]
        for row in m.ClubLeader.select(m.ClubLeader.staff)
        .join(m.GroupSession, on=(m.GroupSession.club == m.ClubLeader.club))
        .where(m.GroupSession.id == session_id)
        .order_by(m.ClubLeader.id)
        .tuples()
    ]
    return who if who in leaders or not leaders else leaders[0]


def _sync_service_entry(
    attendance_id: int,
    client_id: int,
    s: m.GroupSession,
    present: bool,
    staff_id: int | None,
    minutes: int,
    recorded_by: int | None = None,
) -> tuple[int, int]:
    """Exactly one service log entry for a present mark, none for an absent one."""
    entries = prepared.rows(m.ServiceEntry, source_type="attendance", source_id=attendance_id)
    created = removed = 0
    keep = entries[:1] if present else []
    for e in entries:
        if e not in keep:
            store.delete(m.ServiceEntry, e.id)
            removed += 1
    if present and not keep:
        store.create(
            m.ServiceEntry,
            date=s.date,
            client=client_id,
            staff=staff_id,
            recorded_by=recorded_by,  # who typed the roll call (the performer is the leader)
            recorded_at=clock.now(),
            sop="05",
            service_kind=domain.SERVICE_NAME,
            units=domain.SERVICE_UNITS,
            minutes=minutes,
            work_minutes=minutes,  # the session as held: its duration (SOP 05 sets no norm)
            source_type="attendance",
            source_id=attendance_id,
            note=f"{s.club.name}: {s.topic}".strip(": "),
        )
        created = 1
    return created, removed


def spread_report_minutes(session_id: int) -> None:
    """The report's writing time as documentation minutes of the session's service entries (one per
    attending client): whole minutes shared out, so that they add up to the time measured. Call inside
    write_transaction()."""
    # kept SQL (prepared): every roll call that adds or removes an entry runs these
    seconds = prepared.execute(
        "rollcall.report_seconds",
        lambda: m.GroupSession.select(m.GroupSession.report_seconds).where(m.GroupSession.id == 0).limit(1),
        (session_id, 1),
    ).fetchone()
    entries = prepared.execute(
        "rollcall.session_entries",
        lambda: (
            m.ServiceEntry.select(m.ServiceEntry.id, m.ServiceEntry.work_minutes)
            .join(m.Attendance, on=(m.ServiceEntry.source_id == m.Attendance.id))
            .where((m.ServiceEntry.source_type == "attendance") & (m.Attendance.session == 0))
            .order_by(m.ServiceEntry.id)
        ),
        ("attendance", session_id),
    ).fetchall()
    shares = domain.share_minutes(whole_minutes((seconds[0] if seconds else 0) or 0), len(entries))
    for (entry_id, work_minutes), doc in zip(entries, shares):
        prepared.execute(
            "rollcall.entry_minutes",
            lambda: m.ServiceEntry.update(minutes=0, doc_minutes=0).where(m.ServiceEntry.id == 0),
            (work_minutes + doc, doc, entry_id),
        )
