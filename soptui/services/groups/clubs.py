"""Clubs (SOP 05 stage 1): the list, the card, saving a club with its leaders, programme and schedule,
and generating its sessions from the schedule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import peewee as pw

from soptui.core import clock
from soptui.core.session import Actor
from soptui.db import models as m
from soptui.db import store
from soptui.db.connection import write_transaction
from soptui.domain import groups as domain
from soptui.domain import workdays
from soptui.domain.groups import ScheduleError, Slot
from soptui.domain.labels import CLUB_KINDS, SESSION_STATUSES
from soptui.services import access
from soptui.services.groups._common import (
    LEADER_POSITIONS,
    GroupError,
    ProgrammeRow,
    club_or_raise,
    leaders_by_club,
    person_name,
    renumber_topics,
    schedule_text,
)
from soptui.services.staff import StaffOption, staff_options


def leader_options() -> list[StaffOption]:
    """Active staff who may lead a group under SOP 05."""
    return staff_options(positions=LEADER_POSITIONS)


@dataclass(frozen=True)
class ClubRow:
    id: int
    name: str
    kind_label: str
    leaders: str
    room: str
    members: int
    capacity: int
    schedule: str
    period: str
    next_session: str
    active: bool
    calendar_warning: str | None = None


@dataclass(frozen=True)
class MemberRow:
    id: int
    client_id: int
    name: str
    birth_date: dt.date | None
    joined_on: dt.date
    left_on: dt.date | None
    left_reason: str
    informed_on: dt.date | None
    attended: int
    admit_warning: str = ""  # what the staff member was warned of when adding the client
    admit_reason: str = ""  # and why they added them all the same

    @property
    def active(self) -> bool:
        return self.left_on is None


@dataclass(frozen=True)
class SessionRow:
    id: int
    date: dt.date
    start_time: str
    end_time: str
    topic: str
    status: str
    status_label: str
    present: int
    marked: int
    manual: bool
    short_day: bool
    extra: bool = False
    first_meeting: bool = False


@dataclass(frozen=True)
class ClubCard:
    id: int
    version: int
    name: str
    kind: str
    kind_label: str
    goal: str
    room: str
    capacity: int
    department_id: int | None
    start_date: dt.date
    end_date: dt.date
    active: bool
    leader_ids: tuple[int, ...]
    leader_names: tuple[str, ...]
    programme: tuple[ProgrammeRow, ...]
    slots: tuple[Slot, ...]
    members: tuple[MemberRow, ...]
    sessions: tuple[SessionRow, ...]
    analysis_note: str = ""  # SOP 05 stage 1: «анализ опроса получателей, личных дел»
    calendar_warning: str | None = None  # the schedule runs into a year whose calendar is not confirmed
    editable: bool = True  # the reader may change the club itself (its department's); a leader from another leads

    @property
    def active_members(self) -> int:
        return sum(1 for mb in self.members if mb.active)

    @property
    def schedule_text(self) -> str:
        return schedule_text(self.slots)


@dataclass
class ClubData:
    """What the club form edits."""

    name: str
    kind: str = "club"
    goal: str = ""
    room: str = ""
    capacity: int = 12
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    leader_ids: list[int] = field(default_factory=list)
    programme: list[tuple[str, str]] = field(default_factory=list)  # (topic, goal) in order
    slots: list[Slot] = field(default_factory=list)
    department_id: int | None = None
    analysis_note: str = ""  # what the programme is based on: the surveys and personal files analysed


def _visible_clubs(actor: Actor | None):
    q = m.Club.select()
    if actor is not None and not actor.sees_all_departments:
        led = m.ClubLeader.select(m.ClubLeader.club).where(m.ClubLeader.staff == actor.id)
        cond = m.Club.id.in_(led)
        if actor.department_id is not None:
            cond = cond | (m.Club.department == actor.department_id)
        q = q.where(cond)
    return q


def list_clubs(actor: Actor | None, include_inactive: bool = True) -> list[ClubRow]:
    """Clubs the actor may see (their department's and those they lead; heads see all)."""
    access.require_staff(actor)  # access: staff
    clubs = list(_visible_clubs(actor).order_by(m.Club.active.desc(), m.Club.name))
    if not include_inactive:
        clubs = [c for c in clubs if c.active]
    ids = [c.id for c in clubs]
    leaders = leaders_by_club(ids)
    counts = dict(
        m.ClubMember.select(m.ClubMember.club, pw.fn.COUNT(m.ClubMember.id))
        .where(m.ClubMember.club.in_(ids or [0]) & m.ClubMember.left_on.is_null())
        .group_by(m.ClubMember.club)
        .tuples()
    )
    slots: dict[int, list[Slot]] = {}
    for s in m.ScheduleSlot.select().where(m.ScheduleSlot.club.in_(ids or [0])):
        slots.setdefault(s.club_id, []).append(Slot(s.weekday, s.start_time, s.end_time))
    today = clock.today()
    nxt: dict[int, m.GroupSession] = {}
    for s in (
        m.GroupSession.select()
        .where(
            m.GroupSession.club.in_(ids or [0]) & (m.GroupSession.date >= today) & (m.GroupSession.status == "planned")
        )
        .order_by(m.GroupSession.date.desc(), m.GroupSession.start_time.desc())
    ):
        nxt[s.club_id] = s  # the last assignment is the earliest
    rows = []
    for c in clubs:
        s = nxt.get(c.id)
        rows.append(
            ClubRow(
                c.id,
                c.name,
                CLUB_KINDS.get(c.kind, c.kind),
                ", ".join(n for _, n in leaders.get(c.id, [])),
                c.room,
                counts.get(c.id, 0),
                c.capacity,
                schedule_text(slots.get(c.id, [])),
                f"{clock.fmt_date(c.start_date)}–{clock.fmt_date(c.end_date)}",
                f"{clock.fmt_date(s.date)} {s.start_time}" if s else "—",
                c.active,
                domain.schedule_calendar_warning(c.start_date, c.end_date),
            )
        )
    return rows


def get_club(club_id: int) -> ClubCard:
    actor = access.require_club(None, club_id)  # access: department
    c = club_or_raise(club_id)
    leaders = leaders_by_club([c.id]).get(c.id, [])
    programme = tuple(
        ProgrammeRow(p.id, p.number, p.topic, p.goal)
        for p in m.ProgrammeItem.select().where(m.ProgrammeItem.club == c.id).order_by(m.ProgrammeItem.number)
    )
    slots = tuple(
        Slot(s.weekday, s.start_time, s.end_time)
        for s in m.ScheduleSlot.select().where(m.ScheduleSlot.club == c.id).order_by(m.ScheduleSlot.weekday)
    )
    attended = dict(
        m.Attendance.select(m.Attendance.client, pw.fn.COUNT(m.Attendance.id))
        .join(m.GroupSession)
        .where((m.GroupSession.club == c.id) & m.Attendance.present)
        .group_by(m.Attendance.client)
        .tuples()
    )
    members = tuple(
        MemberRow(
            mb.id,
            mb.client.id,
            person_name(mb.client),
            mb.client.birth_date,
            mb.joined_on,
            mb.left_on,
            mb.left_reason,
            mb.informed_on,
            attended.get(mb.client.id, 0),
            mb.admit_warning,
            mb.admit_reason,
        )
        for mb in m.ClubMember.select(m.ClubMember, m.Client)
        .join(m.Client)
        .where(m.ClubMember.club == c.id)
        .order_by(m.ClubMember.left_on.is_null(False), m.Client.name_key)
    )
    return ClubCard(
        c.id,
        c.version,
        c.name,
        c.kind,
        CLUB_KINDS.get(c.kind, c.kind),
        c.goal,
        c.room,
        c.capacity,
        c.department_id,
        c.start_date,
        c.end_date,
        c.active,
        tuple(i for i, _ in leaders),
        tuple(n for _, n in leaders),
        programme,
        slots,
        members,
        tuple(club_sessions(c.id)),
        c.analysis_note,
        domain.schedule_calendar_warning(c.start_date, c.end_date),
        editable=access.may(access.require_department, actor, c.department_id),  # save_club's rule
    )


def club_sessions(club_id: int) -> list[SessionRow]:
    access.require_club(None, club_id)  # access: department
    counts: dict[int, tuple[int, int]] = {}
    for sid, present, marked in (
        m.Attendance.select(
            m.Attendance.session, pw.fn.SUM(m.Attendance.present.cast("integer")), pw.fn.COUNT(m.Attendance.id)
        )
        .join(m.GroupSession)
        .where(m.GroupSession.club == club_id)
        .group_by(m.Attendance.session)
        .tuples()
    ):
        counts[sid] = (int(present or 0), int(marked))
    out = []
    for s in (
        m.GroupSession.select()
        .where(m.GroupSession.club == club_id)
        .order_by(m.GroupSession.date, m.GroupSession.start_time)
    ):
        p, k = counts.get(s.id, (0, 0))
        out.append(
            SessionRow(
                s.id,
                s.date,
                s.start_time,
                s.end_time,
                s.topic,
                s.status,
                SESSION_STATUSES.get(s.status, s.status),
                p,
                k,
                s.manual,
                workdays.is_short_day(s.date),
                s.extra,
                s.first_meeting,
            )
        )
    return out


def _validate_club(data: ClubData) -> None:
    if not data.name.strip():
        raise GroupError("Укажите название клуба.", "name")
    if data.kind not in CLUB_KINDS:
        raise GroupError("Выберите вид: клуб общения или группа взаимоподдержки.", "kind")
    if not isinstance(data.capacity, int) or data.capacity < 1:
        raise GroupError("Вместимость — целое число участников, не меньше 1.", "capacity")
    if data.start_date is None:
        raise GroupError("Укажите дату начала работы клуба.", "start_date")
    if data.end_date is None:
        raise GroupError("Укажите дату окончания работы клуба.", "end_date")
    if data.end_date < data.start_date:
        raise GroupError("Дата окончания раньше даты начала.", "end_date")
    if not data.leader_ids:
        raise GroupError("Укажите хотя бы одного ведущего занятия.", "leaders")
    try:
        domain.validate_schedule(data.slots, data.start_date, data.end_date)
    except ScheduleError as exc:
        raise GroupError(str(exc), "schedule") from None
    except ValueError as exc:
        raise GroupError(str(exc), "schedule") from None
    for number, (topic, _goal) in enumerate(data.programme, start=1):
        if not topic.strip():
            raise GroupError(f"Занятие № {number} программы без темы.", "programme")


def save_club(
    data: ClubData, club_id: int | None = None, version: int | None = None, original: dict | None = None
) -> int:
    """Create or edit a club with its leaders, programme and schedule; generate its sessions.

    Editing checks the version (someone else's save raises store.ConflictError).
    Changing the members' capacity below the current members is refused.
    """
    access.require_club(access.require_department(None, data.department_id), club_id)  # access: department
    _validate_club(data)
    fields = dict(
        name=data.name.strip(),
        kind=data.kind,
        goal=data.goal.strip(),
        room=data.room.strip(),
        capacity=data.capacity,
        start_date=data.start_date,
        end_date=data.end_date,
        department=data.department_id,
        analysis_note=data.analysis_note.strip(),
    )
    with write_transaction():
        if club_id is None:
            club = store.create(m.Club, **fields)
            club_id = club.id
            schedule_changed = True
        else:
            current = club_or_raise(club_id)
            active = (
                m.ClubMember.select().where((m.ClubMember.club == club_id) & m.ClubMember.left_on.is_null()).count()
            )
            if data.capacity < active:
                raise GroupError(f"В клубе уже {active} участников: вместимость не может быть меньше.", "capacity")
            old_slots = {(s.weekday, s.start_time, s.end_time) for s in current.slots}
            schedule_changed = (
                old_slots != {(s.weekday, s.start_time, s.end_time) for s in data.slots}
                or current.start_date != data.start_date
                or current.end_date != data.end_date
            )
            store.update_versioned(
                m.Club, club_id, version if version is not None else current.version, fields, original
            )
        _save_leaders(club_id, data.leader_ids)
        _save_programme(club_id, data.programme)
        if schedule_changed:
            m.ScheduleSlot.delete().where(m.ScheduleSlot.club == club_id).execute()
            for s in data.slots:
                m.ScheduleSlot.create(club=club_id, weekday=s.weekday, start_time=s.start_time, end_time=s.end_time)
            store.audit("update", "schedule_slot", club_id, {"slots": schedule_text(data.slots)})
            _generate(club_id, data.slots, data.start_date, data.end_date)
        renumber_topics(club_id)
    return club_id


def _save_leaders(club_id: int, leader_ids: Sequence[int]) -> None:
    existing = {l.staff_id: l.id for l in m.ClubLeader.select().where(m.ClubLeader.club == club_id)}
    wanted = list(dict.fromkeys(leader_ids))
    for staff_id, link_id in existing.items():
        if staff_id not in wanted:
            store.delete(m.ClubLeader, link_id)
    for staff_id in wanted:
        if staff_id not in existing:
            store.create(m.ClubLeader, club=club_id, staff=staff_id)


def _save_programme(club_id: int, items: Sequence[tuple[str, str]]) -> None:
    """Keep programme rows (and the sessions that point at them) by number; add and drop the rest."""
    existing = {p.number: p for p in m.ProgrammeItem.select().where(m.ProgrammeItem.club == club_id)}
    for number, (topic, goal) in enumerate(items, start=1):
        topic, goal = topic.strip(), goal.strip()
        row = existing.pop(number, None)
        if row is None:
            store.create(m.ProgrammeItem, club=club_id, number=number, topic=topic, goal=goal)
        elif (row.topic, row.goal) != (topic, goal):
            # sessions still showing the old topic follow the programme
            (
                m.GroupSession.update(topic=topic, goal=goal)
                .where(
                    (m.GroupSession.programme_item == row.id)
                    & (m.GroupSession.topic == row.topic)
                    & (m.GroupSession.status == "planned")
                )
                .execute()
            )
            store.update_versioned(m.ProgrammeItem, row.id, row.version, {"topic": topic, "goal": goal})
    for row in existing.values():
        store.delete(m.ProgrammeItem, row.id)


def _generate(club_id: int, slots: Sequence[Slot], start: dt.date, end: dt.date) -> int:
    """Create sessions for scheduled dates that have none; drop future untouched ones off the schedule."""
    planned = domain.generate_dates(slots, start, end)
    planned_keys = {p.date for p in planned}
    today = clock.today()
    sessions = list(m.GroupSession.select().where(m.GroupSession.club == club_id))
    taken = {s.date for s in sessions} | {s.moved_from for s in sessions if s.moved_from}
    with_marks = {
        a.session_id
        for a in m.Attendance.select(m.Attendance.session).join(m.GroupSession).where(m.GroupSession.club == club_id)
    }
    for s in sessions:
        if (
            not s.manual
            and s.status == "planned"
            and s.id not in with_marks
            and s.date >= today
            and s.date not in planned_keys
        ):
            m.GroupSession.delete().where(m.GroupSession.id == s.id).execute()
    created = 0
    for p in planned:
        if p.date in taken:
            continue
        m.GroupSession.create(club=club_id, date=p.date, start_time=p.start_time, end_time=p.end_time)
        created += 1
    # an existing untouched session follows a changed time of its weekday
    by_wd = {s.weekday: s for s in slots}
    for s in m.GroupSession.select().where(
        (m.GroupSession.club == club_id)
        & ~m.GroupSession.manual
        & (m.GroupSession.status == "planned")
        & (m.GroupSession.date >= today)
    ):
        slot = by_wd.get(s.date.weekday())
        if slot and (s.start_time, s.end_time) != (slot.start_time, slot.end_time):
            s.start_time, s.end_time = slot.start_time, slot.end_time
            s.save()
    return created


def set_club_active(club_id: int, active: bool) -> None:
    access.require_club(None, club_id)  # access: department
    with write_transaction():
        c = club_or_raise(club_id)
        store.update_versioned(m.Club, club_id, c.version, {"active": active})
