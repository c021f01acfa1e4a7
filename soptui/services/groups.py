"""Clubs and mutual-support groups (SOP 05): clubs, programme, schedule, members, sessions,
roll-call with the 2-per-week rule, the service log entries, feedback, the monthly
attendance sheet and the CSV export for the regional information system.

CSV export for «Социальное обслуживание населения» (`export_csv`): UTF-8 with a
byte-order mark (Excel in Russian opens it without an import dialog), `;` as the
separator, CRLF line ends, a heading row, then one row per client per service
(one attended session = one service, SOP 05), ordered by date, time, club, ФИО:

    ФИО получателя      Фамилия Имя Отчество of the client
    Дата рождения       ДД.ММ.ГГГГ (empty if unknown)
    Наименование услуги «Проведение занятий в группах взаимоподдержки, клубах общения»
    Дата оказания       ДД.ММ.ГГГГ, the session date
    Количество          units of service, always 1 per session attended
    Исполнитель         Фамилия Имя Отчество of the staff member who took the roll-call
    Клуб / группа       the club's name, to check the rows against the attendance sheets
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import peewee as pw

from soptui.core import clock
from soptui.core.session import Actor
from soptui.core.text import full_name, short_name
from soptui.db import models as m
from soptui.db import store
from soptui.db.connection import write_transaction
from soptui.domain import groups as domain
from soptui.domain import workdays
from soptui.domain.agenda import TodayItem
from soptui.domain.groups import ScheduleError, SessionRef, Slot
from soptui.domain.labels import CLUB_KINDS, FEEDBACK_SOURCES, POSITIONS, SESSION_STATUSES
from soptui.services import access

MONTHS = [
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
]
CSV_COLUMNS = [
    "ФИО получателя",
    "Дата рождения",
    "Наименование услуги",
    "Дата оказания",
    "Количество",
    "Исполнитель",
    "Клуб / группа",
]
# SOP 05 lists who may run a group: these positions can lead
LEADER_POSITIONS = ("social_pedagogue", "social_work_specialist", "psychologist", "head", "nurse")


class GroupError(ValueError):
    """A rule of SOP 05 or bad input; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class LimitViolation:
    """A client who would attend a third session in a calendar week."""

    client_id: int
    client_name: str
    others: tuple[SessionRef, ...]
    message: str


class WeeklyLimitError(GroupError):
    """Saving the roll-call would break the 2-per-week rule for these clients; nothing was saved."""

    def __init__(self, violations: Sequence[LimitViolation]) -> None:
        super().__init__("\n".join(v.message for v in violations))
        self.violations = tuple(violations)


# --- dataclasses handed to the screens ------------------------------------------------


@dataclass(frozen=True)
class StaffOption:
    id: int
    name: str
    position: str


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


@dataclass(frozen=True)
class ProgrammeRow:
    id: int
    number: int
    topic: str
    goal: str


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


@dataclass(frozen=True)
class FeedbackRow:
    id: int
    source: str
    source_label: str
    author: str
    text: str


@dataclass(frozen=True)
class SessionDetail:
    id: int
    version: int
    club_id: int
    club_name: str
    date: dt.date
    start_time: str
    end_time: str
    programme_item_id: int | None
    topic: str
    goal: str
    status: str
    guests: str
    media_taken: bool
    media_location: str
    analysis: str
    summary: str
    satisfaction: int | None
    present: int
    marked: int
    leaders: tuple[str, ...]
    programme: tuple[ProgrammeRow, ...]
    feedback: tuple[FeedbackRow, ...]
    present_names: tuple[str, ...]


@dataclass(frozen=True)
class SheetRow:
    name: str
    marks: tuple[str, ...]  # "+" present, "н" absent, "" not marked, "—" not a member that day
    total: int


@dataclass(frozen=True)
class AttendanceSheet:
    """The monthly attendance sheet: participants × session dates."""

    institution: str
    club_name: str
    kind_label: str
    room: str
    year: int
    month: int
    month_title: str
    leaders: tuple[str, ...]
    dates: tuple[tuple[dt.date, str], ...]  # (date, start time)
    rows: tuple[SheetRow, ...]
    session_totals: tuple[int, ...]
    total: int


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int


# --- helpers ----------------------------------------------------------------------------------


def schedule_text(slots: Sequence[Slot]) -> str:
    if not slots:
        return "расписание не задано"
    return ", ".join(
        f"{domain.WEEKDAY_SHORT[s.weekday]} {s.start_time}–{s.end_time}" for s in sorted(slots, key=lambda s: s.weekday)
    )


def quoted(name: str) -> str:
    """A club name in «» unless it already has its own quotes: Клуб «Родничок» stays as is."""
    return name if "«" in name else f"«{name}»"


def _name(row) -> str:
    return full_name(row.last_name, row.first_name, row.patronymic)


def _session_q():
    return m.GroupSession.select(m.GroupSession, m.Club).join(m.Club)


def _club(club_id: int) -> m.Club:
    club = m.Club.get_or_none(m.Club.id == club_id)
    if club is None:
        raise GroupError("Клуб не найден: возможно, его удалили.")
    return club


def _session(session_id: int) -> m.GroupSession:
    s = m.GroupSession.get_or_none(m.GroupSession.id == session_id)
    if s is None:
        raise GroupError("Занятие не найдено: возможно, его удалили.")
    return s


def leader_options() -> list[StaffOption]:
    """Active staff who may lead a group under SOP 05."""
    rows = (
        m.Staff.select()
        .where(m.Staff.active & m.Staff.position.in_(LEADER_POSITIONS))
        .order_by(m.Staff.last_name, m.Staff.first_name)
    )
    return [StaffOption(s.id, _name(s), POSITIONS.get(s.position, s.position)) for s in rows]


def _leaders(club_ids: Sequence[int]) -> dict[int, list[tuple[int, str]]]:
    out: dict[int, list[tuple[int, str]]] = {}
    q = (
        m.ClubLeader.select(m.ClubLeader.club, m.Staff)
        .join(m.Staff)
        .where(m.ClubLeader.club.in_(list(club_ids) or [0]))
        .order_by(m.ClubLeader.id)
    )
    for link in q:
        out.setdefault(link.club_id, []).append(
            (link.staff.id, short_name(link.staff.last_name, link.staff.first_name, link.staff.patronymic))
        )
    return out


def _visible_clubs(actor: Actor | None):
    q = m.Club.select()
    if actor is not None and not actor.sees_all_departments:
        led = m.ClubLeader.select(m.ClubLeader.club).where(m.ClubLeader.staff == actor.id)
        cond = m.Club.id.in_(led)
        if actor.department_id is not None:
            cond = cond | (m.Club.department == actor.department_id)
        q = q.where(cond)
    return q


# --- clubs ---------------------------------------------------------------------------------------


def list_clubs(actor: Actor | None, include_inactive: bool = True) -> list[ClubRow]:
    """Clubs the actor may see (their department's and those they lead; heads see all)."""
    access.require_staff(actor)  # access: staff
    clubs = list(_visible_clubs(actor).order_by(m.Club.active.desc(), m.Club.name))
    if not include_inactive:
        clubs = [c for c in clubs if c.active]
    ids = [c.id for c in clubs]
    leaders = _leaders(ids)
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
            )
        )
    return rows


def get_club(club_id: int) -> ClubCard:
    access.require_club(None, club_id)  # access: department
    c = _club(club_id)
    leaders = _leaders([c.id]).get(c.id, [])
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
            _name(mb.client),
            mb.client.birth_date,
            mb.joined_on,
            mb.left_on,
            mb.left_reason,
            mb.informed_on,
            attended.get(mb.client.id, 0),
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
    )
    with write_transaction():
        if club_id is None:
            club = store.create(m.Club, **fields)
            club_id = club.id
            schedule_changed = True
        else:
            current = _club(club_id)
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
        _renumber(club_id)
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


def _renumber(club_id: int) -> None:
    """Planned sessions whose topic is still the programme's take the programme items in date order."""
    items = list(m.ProgrammeItem.select().where(m.ProgrammeItem.club == club_id).order_by(m.ProgrammeItem.number))
    by_id = {p.id: p for p in items}
    sessions = list(
        m.GroupSession.select()
        .where((m.GroupSession.club == club_id) & (m.GroupSession.status != "cancelled"))
        .order_by(m.GroupSession.date, m.GroupSession.start_time)
    )
    for i, s in enumerate(sessions):
        if s.status != "planned":
            continue
        current = by_id.get(s.programme_item_id) if s.programme_item_id else None
        follows = s.topic == "" or (current is not None and s.topic == current.topic)
        if not follows:
            continue
        item = items[i] if i < len(items) else None
        new = (item.id if item else None, item.topic if item else "", item.goal if item else "")
        if (s.programme_item_id, s.topic, s.goal) != new:
            s.programme_item, s.topic, s.goal = new
            s.save()


def set_club_active(club_id: int, active: bool) -> None:
    access.require_club(None, club_id)  # access: department
    with write_transaction():
        c = _club(club_id)
        store.update_versioned(m.Club, club_id, c.version, {"active": active})


# --- single sessions -----------------------------------------------------------------------------


def _check_session_date(club: m.Club, day: dt.date, start_time: str, end_time: str) -> None:
    if not club.start_date <= day <= club.end_date:
        raise GroupError(
            f"Дата {clock.fmt_date(day)} вне срока работы клуба ({clock.fmt_date(club.start_date)}–"
            f"{clock.fmt_date(club.end_date)}). Измените дату или срок работы клуба.",
            "date",
        )
    if not workdays.is_working_day(day):
        raise GroupError(f"{clock.fmt_date(day)} — нерабочий день по производственному календарю.", "date")
    try:
        domain.parse_time_range(f"{start_time}-{end_time}")
    except ValueError as exc:
        raise GroupError(str(exc), "time") from None


def add_session(club_id: int, day: dt.date, start_time: str, end_time: str) -> int:
    """An extra session outside the weekly schedule (SOP 05 allows up to two a week per client)."""
    access.require_club(None, club_id)  # access: department
    with write_transaction():
        club = _club(club_id)
        _check_session_date(club, day, start_time, end_time)
        clash = m.GroupSession.get_or_none(
            (m.GroupSession.club == club_id)
            & (m.GroupSession.date == day)
            & (m.GroupSession.start_time == start_time)
            & (m.GroupSession.status != "cancelled")
        )
        if clash:
            raise GroupError(f"Занятие {clock.fmt_date(day)} в {start_time} уже есть.", "date")
        s = store.create(m.GroupSession, club=club_id, date=day, start_time=start_time, end_time=end_time, manual=True)
        _renumber(club_id)
    return s.id


def move_session(session_id: int, day: dt.date, start_time: str, end_time: str) -> None:
    """Move one session; its attendance and service entries move with it (the weekly cap rechecked)."""
    access.require_session(None, session_id)  # access: department
    with write_transaction():
        s = _session(session_id)
        if s.status == "cancelled":
            raise GroupError("Занятие отменено: его нельзя перенести.", "date")
        club = s.club
        _check_session_date(club, day, start_time, end_time)
        if day != s.date and not domain.same_week(day, s.date):
            violations = []
            for a in (
                m.Attendance.select(m.Attendance, m.Client)
                .join(m.Client)
                .where((m.Attendance.session == s.id) & m.Attendance.present)
            ):
                if a.override_reason:
                    continue
                others = domain.weekly_cap_conflict(day, _attended_refs(a.client_id, day, exclude=s.id))
                if others:
                    violations.append(
                        LimitViolation(
                            a.client_id, _name(a.client), tuple(others), domain.limit_message(_name(a.client), others)
                        )
                    )
            if violations:
                raise WeeklyLimitError(violations)
        changes = {"date": day, "start_time": start_time, "end_time": end_time, "manual": True}
        if s.moved_from is None and day != s.date:
            changes["moved_from"] = s.date
        store.update_versioned(m.GroupSession, s.id, s.version, changes)
        ids = [a.id for a in m.Attendance.select(m.Attendance.id).where(m.Attendance.session == s.id)]
        (
            m.ServiceEntry.update(date=day)
            .where((m.ServiceEntry.source_type == "attendance") & m.ServiceEntry.source_id.in_(ids or [0]))
            .execute()
        )
        _renumber(club.id)


def cancel_session(session_id: int, reason: str = "") -> None:
    access.require_session(None, session_id)  # access: department
    with write_transaction():
        s = _session(session_id)
        if m.Attendance.select().where((m.Attendance.session == s.id) & m.Attendance.present).exists():
            raise GroupError("На занятии уже отмечены присутствующие: сначала снимите отметки.")
        changes = {"status": "cancelled"}
        if reason.strip():
            changes["summary"] = f"Отменено: {reason.strip()}"
        store.update_versioned(m.GroupSession, s.id, s.version, changes)
        m.Attendance.delete().where(m.Attendance.session == s.id).execute()
        _renumber(s.club_id)


def restore_session(session_id: int) -> None:
    access.require_session(None, session_id)  # access: department
    with write_transaction():
        s = _session(session_id)
        if s.status == "cancelled":
            store.update_versioned(m.GroupSession, s.id, s.version, {"status": "planned"})
            _renumber(s.club_id)


# --- members ------------------------------------------------------------------------------------


def add_member(
    club_id: int, client_id: int, joined_on: dt.date | None = None, informed_on: dt.date | None = None
) -> int:
    """Add a client to the club; refuses a second active membership and a full club."""
    access.require_client_id(access.require_club(None, club_id), client_id)  # access: client
    joined_on = joined_on or clock.today()
    with write_transaction():
        club = _club(club_id)
        client = m.Client.get_or_none(m.Client.id == client_id)
        if client is None:
            raise GroupError("Клиент не найден: возможно, карточку удалили.")
        name = _name(client)
        existing = m.ClubMember.get_or_none(
            (m.ClubMember.club == club_id) & (m.ClubMember.client == client_id) & m.ClubMember.left_on.is_null()
        )
        if existing:
            raise GroupError(
                f"{name} уже в группе {quoted(club.name)} с {clock.fmt_date(existing.joined_on)}.", "client"
            )
        if joined_on > club.end_date:
            raise GroupError(f"Клуб работает до {clock.fmt_date(club.end_date)}: дата включения позже.", "joined_on")
        active = m.ClubMember.select().where((m.ClubMember.club == club_id) & m.ClubMember.left_on.is_null()).count()
        if active >= club.capacity:
            raise GroupError(
                f"В группе {quoted(club.name)} нет свободных мест: {active} из {club.capacity}. "
                f"Увеличьте вместимость или отметьте выбывшего участника.",
                "client",
            )
        mb = store.create(m.ClubMember, club=club_id, client=client_id, joined_on=joined_on, informed_on=informed_on)
    return mb.id


def remove_member(member_id: int, left_on: dt.date | None = None, reason: str = "") -> None:
    """Mark a member as left on a date; the history and past attendance are kept."""
    access.require_member(None, member_id)  # access: department
    left_on = left_on or clock.today()
    with write_transaction():
        mb = m.ClubMember.get_or_none(m.ClubMember.id == member_id)
        if mb is None:
            raise GroupError("Участник не найден.")
        if mb.left_on is not None:
            raise GroupError(f"Участник уже выбыл {clock.fmt_date(mb.left_on)}.")
        if left_on < mb.joined_on:
            raise GroupError(f"Дата выбытия раньше даты включения ({clock.fmt_date(mb.joined_on)}).", "left_on")
        store.update_versioned(m.ClubMember, mb.id, mb.version, {"left_on": left_on, "left_reason": reason.strip()})


def set_informed(member_id: int, informed_on: dt.date | None) -> None:
    """SOP 05 stage 2: the participant was shown the schedule and topics on this date."""
    access.require_member(None, member_id)  # access: department
    with write_transaction():
        mb = m.ClubMember.get_or_none(m.ClubMember.id == member_id)
        if mb is None:
            raise GroupError("Участник не найден.")
        if informed_on is not None and informed_on > clock.today():
            raise GroupError("Дата ознакомления не может быть в будущем.", "informed_on")
        store.update_versioned(m.ClubMember, mb.id, mb.version, {"informed_on": informed_on})


def client_memberships(client_id: int) -> list[tuple[int, str, dt.date, dt.date | None]]:
    """(club id, club name, joined, left) of a client, for the client card."""
    access.require_client_id(None, client_id)  # access: client
    return [
        (mb.club.id, mb.club.name, mb.joined_on, mb.left_on)
        for mb in m.ClubMember.select(m.ClubMember, m.Club)
        .join(m.Club)
        .where(m.ClubMember.client == client_id)
        .order_by(m.ClubMember.joined_on.desc())
    ]


# --- roll-call and the 2-per-week rule ------------------------------------------------------------


def _attended_refs(client_id: int, day: dt.date, exclude: int) -> list[SessionRef]:
    monday, sunday = domain.week_bounds(day)
    q = (
        m.Attendance.select(m.Attendance, m.GroupSession, m.Club)
        .join(m.GroupSession)
        .join(m.Club)
        .where(
            (m.Attendance.client == client_id)
            & m.Attendance.present
            & (m.GroupSession.id != exclude)
            & (m.GroupSession.status != "cancelled")
            & (m.GroupSession.date >= monday)
            & (m.GroupSession.date <= sunday)
        )
    )
    return [
        SessionRef(a.session.id, a.session.club.name, a.session.date, a.session.start_time, a.session.end_time)
        for a in q
    ]


def weekly_attended(client_id: int, day: dt.date, exclude_session: int = 0) -> list[SessionRef]:
    """The client's attended sessions in day's calendar week, across all clubs."""
    access.require_client_id(None, client_id)  # access: client
    return sorted(_attended_refs(client_id, day, exclude_session), key=lambda r: (r.date, r.start_time))


def roll_call(session_id: int) -> RollCall:
    """The members expected at a session (active on its date) with their marks so far."""
    access.require_session(None, session_id)  # access: department
    s = _session(session_id)
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
                _name(c),
                bool(a and a.present),
                a.absence_reason if a else "",
                a.override_reason if a else "",
                by,
                a is not None,
            )
        )
    return RollCall(s.id, club.id, club.name, s.date, s.start_time, s.end_time, s.topic, s.goal, s.status, tuple(rows))


def is_head(staff_id: int | None) -> bool:
    if staff_id is None:
        return False
    st = m.Staff.get_or_none(m.Staff.id == staff_id)
    return bool(st and st.active and st.role in ("head", "admin"))


def _override_approver(approval: int | tuple[str, str] | None) -> int:
    """Who allows a third session this week (SOP 05): the signed-in head, or a head's own password now."""
    from soptui.core import session as session_service
    from soptui.services import auth

    if isinstance(approval, tuple):
        head_id = auth.verify_head_approval(*approval)
        if head_id is None:
            raise GroupError(
                "Неверный логин или пароль, или это не заведующий отделением: третье занятие не разрешено."
            )
        return head_id
    actor = session_service.current()
    if actor is not None and actor.is_head and approval in (None, actor.id):
        return actor.id
    raise GroupError("Разрешить третье занятие в неделю может только заведующий отделением (своим паролем).")


def save_roll_call(
    session_id: int,
    marks: dict[int, tuple[bool, str]],
    overrides: dict[int, str] | None = None,
    override_by: int | tuple[str, str] | None = None,
    staff_id: int | None = None,
) -> SaveResult:
    """Store the roll-call: one Attendance per client, one service log entry per present client.

    marks: client id -> (present, absence reason). overrides: client id -> the
    head's reason to allow a third session this week: approved by the signed-in head, or by a head's
    (login, password) given at this moment as `override_by`, checked here (a bare staff id is not proof). Raises WeeklyLimitError naming the other sessions,
    saving nothing, if anyone would exceed 2 sessions in the calendar week.
    Correcting a mark removes or adds the service entry: never counted twice.
    """
    access.require_session(None, session_id)  # access: department
    from soptui.core import session as session_service

    overrides = {k: v.strip() for k, v in (overrides or {}).items() if v and v.strip()}
    staff_id = staff_id if staff_id is not None else session_service.actor_id()
    if overrides:
        override_by = _override_approver(override_by)
    created = removed = 0
    with write_transaction():
        s = _session(session_id)
        if s.status == "cancelled":
            raise GroupError("Занятие отменено: отметки не сохраняются. Восстановите занятие.")
        if s.date > clock.today():  # the service log holds only services rendered
            raise GroupError(
                f"Занятие {clock.fmt_date(s.date)} ещё не наступило: перекличку проводят в день занятия или позже."
            )
        existing = {a.client_id: a for a in m.Attendance.select().where(m.Attendance.session == s.id)}
        names = {c.id: _name(c) for c in m.Client.select().where(m.Client.id.in_(list(marks) or [0]))}
        violations = []
        for client_id, (present, _reason) in marks.items():
            if not present:
                continue
            prior = existing.get(client_id)
            if client_id in overrides or (prior is not None and prior.present and prior.override_reason):
                continue
            others = domain.weekly_cap_conflict(s.date, _attended_refs(client_id, s.date, exclude=s.id))
            if others:
                name = names.get(client_id, "")
                violations.append(LimitViolation(client_id, name, tuple(others), domain.limit_message(name, others)))
        if violations:
            raise WeeklyLimitError(violations)
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
                if after != before:
                    store.update_versioned(m.Attendance, a.id, a.version, values)
            c, r = _sync_service_entry(a.id, client_id, s, present, staff_id, minutes)
            created += c
            removed += r
        if s.status == "planned":
            store.update_versioned(m.GroupSession, s.id, s.version, {"status": "held"})
    present_n = sum(1 for p, _ in marks.values() if p)
    return SaveResult(present_n, len(marks) - present_n, created, removed)


def _sync_service_entry(
    attendance_id: int, client_id: int, s: m.GroupSession, present: bool, staff_id: int | None, minutes: int
) -> tuple[int, int]:
    """Exactly one service log entry for a present mark, none for an absent one."""
    entries = list(
        m.ServiceEntry.select()
        .where((m.ServiceEntry.source_type == "attendance") & (m.ServiceEntry.source_id == attendance_id))
        .order_by(m.ServiceEntry.id)
    )
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
            sop="05",
            service_kind=domain.SERVICE_NAME,
            units=domain.SERVICE_UNITS,
            minutes=minutes,
            source_type="attendance",
            source_id=attendance_id,
            note=f"{s.club.name}: {s.topic}".strip(": "),
        )
        created = 1
    return created, removed


def delete_session(session_id: int) -> None:
    """Delete a session added by mistake, with its marks and service entries."""
    access.require_session(None, session_id)  # access: department
    with write_transaction():
        s = _session(session_id)
        ids = [a.id for a in m.Attendance.select(m.Attendance.id).where(m.Attendance.session == s.id)]
        (
            m.ServiceEntry.delete()
            .where((m.ServiceEntry.source_type == "attendance") & m.ServiceEntry.source_id.in_(ids or [0]))
            .execute()
        )
        store.delete(m.GroupSession, s.id)
        _renumber(s.club_id)


# --- the session report: topic, media, analysis, feedback, satisfaction ----------------------------


def get_session(session_id: int) -> SessionDetail:
    access.require_session(None, session_id)  # access: department
    s = _session(session_id)
    club = s.club
    programme = tuple(
        ProgrammeRow(p.id, p.number, p.topic, p.goal)
        for p in m.ProgrammeItem.select().where(m.ProgrammeItem.club == club.id).order_by(m.ProgrammeItem.number)
    )
    feedback = tuple(
        FeedbackRow(f.id, f.source, FEEDBACK_SOURCES.get(f.source, f.source), f.author, f.text)
        for f in m.SessionFeedback.select().where(m.SessionFeedback.session == s.id).order_by(m.SessionFeedback.id)
    )
    att = list(
        m.Attendance.select(m.Attendance, m.Client)
        .join(m.Client)
        .where(m.Attendance.session == s.id)
        .order_by(m.Client.name_key)
    )
    present = tuple(_name(a.client) for a in att if a.present)
    return SessionDetail(
        s.id,
        s.version,
        club.id,
        club.name,
        s.date,
        s.start_time,
        s.end_time,
        s.programme_item_id,
        s.topic,
        s.goal,
        s.status,
        s.guests,
        s.media_taken,
        s.media_location,
        s.analysis,
        s.summary,
        s.satisfaction,
        len(present),
        len(att),
        tuple(n for _, n in _leaders([club.id]).get(club.id, [])),
        programme,
        feedback,
        present,
    )


REPORT_FIELDS = (
    "topic",
    "goal",
    "programme_item",
    "guests",
    "media_taken",
    "media_location",
    "analysis",
    "summary",
    "satisfaction",
)


def save_session_report(session_id: int, version: int, changes: dict, original: dict | None = None) -> int:
    """Save topic, goal, guests, photo/video, analysis, summary and satisfaction; returns the new version."""
    access.require_session(None, session_id)  # access: department
    unknown = set(changes) - set(REPORT_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields {unknown}")
    sat = changes.get("satisfaction")
    if sat is not None and not (isinstance(sat, int) and 1 <= sat <= 5):
        raise GroupError("Удовлетворённость — оценка от 1 до 5.", "satisfaction")
    if changes.get("media_taken") and not str(changes.get("media_location", "")).strip():
        raise GroupError("Укажите, где хранятся фото и видео занятия.", "media_location")
    if "topic" in changes and not str(changes["topic"]).strip():
        raise GroupError("Укажите тему занятия.", "topic")
    with write_transaction():
        updated = store.update_versioned(m.GroupSession, session_id, version, changes, original)
    return updated.version


def add_feedback(session_id: int, source: str, author: str, text: str) -> int:
    """A review of the session from staff, a client or a guest (SOP 05 stage 4)."""
    access.require_session(None, session_id)  # access: department
    if source not in FEEDBACK_SOURCES:
        raise GroupError("Выберите, от кого отзыв: сотрудник, получатель услуг или гость.", "source")
    if not text.strip():
        raise GroupError("Введите текст отзыва.", "text")
    with write_transaction():
        _session(session_id)
        f = store.create(m.SessionFeedback, session=session_id, source=source, author=author.strip(), text=text.strip())
    return f.id


def delete_feedback(feedback_id: int) -> None:
    access.require_feedback(None, feedback_id)  # access: department
    with write_transaction():
        store.delete(m.SessionFeedback, feedback_id)


# --- documents ----------------------------------------------------------------------------------


def attendance_sheet(club_id: int, year: int, month: int) -> AttendanceSheet:
    """Participants × session dates of one month with marks and totals."""
    access.require_club(None, club_id)  # access: department
    from soptui.services import institution

    club = _club(club_id)
    first = dt.date(year, month, 1)
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    sessions = list(
        m.GroupSession.select()
        .where(
            (m.GroupSession.club == club_id)
            & (m.GroupSession.date >= first)
            & (m.GroupSession.date <= last)
            & (m.GroupSession.status != "cancelled")
        )
        .order_by(m.GroupSession.date, m.GroupSession.start_time)
    )
    members = list(
        m.ClubMember.select(m.ClubMember, m.Client)
        .join(m.Client)
        .where(
            (m.ClubMember.club == club_id)
            & (m.ClubMember.joined_on <= last)
            & (m.ClubMember.left_on.is_null() | (m.ClubMember.left_on >= first))
        )
    )
    marks: dict[tuple[int, int], bool] = {}
    for a in m.Attendance.select().where(m.Attendance.session.in_([s.id for s in sessions] or [0])):
        marks[(a.client_id, a.session_id)] = a.present
    people: dict[int, tuple[str, list[tuple[dt.date, dt.date | None]]]] = {}
    for mb in members:
        entry = people.setdefault(mb.client.id, (_name(mb.client), []))
        entry[1].append((mb.joined_on, mb.left_on))
    extra = {cid for cid, _ in marks} - set(people)
    for c in m.Client.select().where(m.Client.id.in_(list(extra) or [0])):
        people[c.id] = (_name(c), [])
    rows = []
    totals = [0] * len(sessions)
    for cid, (name, spans) in sorted(people.items(), key=lambda kv: kv[1][0].casefold().replace("ё", "е")):
        cells = []
        total = 0
        for i, s in enumerate(sessions):
            mark = marks.get((cid, s.id))
            if mark is True:
                cells.append("+")
                total += 1
                totals[i] += 1
            elif mark is False:
                cells.append("н")
            elif spans and not any(j <= s.date and (lft is None or lft > s.date) for j, lft in spans):
                cells.append("—")
            else:
                cells.append("")
        rows.append(SheetRow(name, tuple(cells), total))
    leaders = tuple(n for _, n in _leaders([club_id]).get(club_id, []))
    return AttendanceSheet(
        institution.get().full_name,
        club.name,
        CLUB_KINDS.get(club.kind, club.kind),
        club.room,
        year,
        month,
        f"{MONTHS[month - 1]} {year}",
        leaders,
        tuple((s.date, s.start_time) for s in sessions),
        tuple(rows),
        tuple(totals),
        sum(totals),
    )


def leader_full_names(club_id: int) -> list[str]:
    return [
        _name(l.staff)
        for l in m.ClubLeader.select(m.ClubLeader, m.Staff)
        .join(m.Staff)
        .where(m.ClubLeader.club == club_id)
        .order_by(m.ClubLeader.id)
    ]


def print_attendance_sheet(club_id: int, year: int, month: int, folder: Path | None = None) -> Path:
    """Write the monthly attendance sheet PDF and return its path."""
    access.require_club(None, club_id)  # access: department
    from soptui.forms import attendance
    from soptui.services.output import output_dir

    sheet = attendance_sheet(club_id, year, month)
    folder = folder or output_dir()
    path = folder / f"Табель_{_safe(sheet.club_name)}_{year}-{month:02d}.pdf"
    attendance.save(sheet, path, leader_full_names(club_id), clock.now())
    return path


def print_club_plan(club_id: int, folder: Path | None = None) -> Path:
    access.require_club(None, club_id)  # access: department
    from soptui.forms import club_plan
    from soptui.services import institution
    from soptui.services.output import output_dir

    card = get_club(club_id)
    folder = folder or output_dir()
    path = folder / f"План_{_safe(card.name)}.pdf"
    club_plan.save_plan(card, institution.get().full_name, leader_full_names(club_id), path, clock.now())
    return path


def print_session_report(session_id: int, folder: Path | None = None) -> Path:
    access.require_session(None, session_id)  # access: department
    from soptui.forms import club_plan
    from soptui.services import institution
    from soptui.services.output import output_dir

    detail = get_session(session_id)
    folder = folder or output_dir()
    path = folder / f"Отчёт_о_занятии_{_safe(detail.club_name)}_{detail.date:%Y-%m-%d}.pdf"
    club_plan.save_session_report(
        detail, institution.get().full_name, leader_full_names(detail.club_id), path, clock.now()
    )
    return path


def _safe(name: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in " -_" else " " for ch in name)
    return "_".join(keep.split())[:60] or "клуб"


# --- CSV export for «Социальное обслуживание населения» -------------------------------------------


def export_rows(start: dt.date, end: dt.date, department_id: int | None = None) -> list[list[str]]:
    """The CSV rows (without the heading) of attended sessions between start and end inclusive."""
    access.require_department(None, department_id)  # access: department
    if end < start:
        raise GroupError("Конец периода раньше начала.", "end")
    Leader = m.Staff.alias()
    q = (
        m.ServiceEntry.select(m.ServiceEntry, m.Client, Leader, m.GroupSession, m.Club)
        .join(m.Client, on=(m.ServiceEntry.client == m.Client.id))
        .switch(m.ServiceEntry)
        .join(Leader, pw.JOIN.LEFT_OUTER, on=(m.ServiceEntry.staff == Leader.id))
        .switch(m.ServiceEntry)
        .join(m.Attendance, on=(m.ServiceEntry.source_id == m.Attendance.id))
        .join(m.GroupSession, on=(m.Attendance.session == m.GroupSession.id))
        .join(m.Club, on=(m.GroupSession.club == m.Club.id))
        .where(
            (m.ServiceEntry.source_type == "attendance") & (m.ServiceEntry.date >= start) & (m.ServiceEntry.date <= end)
        )
        .order_by(m.ServiceEntry.date, m.GroupSession.start_time, m.Club.name, m.Client.name_key)
    )
    if department_id is not None:
        q = q.where(m.Club.department == department_id)
    rows = []
    for e in q:
        client = e.client
        staff = e.staff if e.staff_id else None
        rows.append(
            [
                _name(client),
                clock.fmt_date(client.birth_date),
                e.service_kind,
                clock.fmt_date(e.date),
                str(e.units),
                _name(staff) if staff else "",
                e.attendance.session.club.name,
            ]
        )
    return rows


def export_csv(
    start: dt.date, end: dt.date, path: Path | None = None, department_id: int | None = None
) -> ExportResult:
    """Write the CSV for the regional information system (see the module docstring for columns)."""
    access.require_department(None, department_id)  # access: department
    from soptui.services.output import output_dir

    rows = export_rows(start, end, department_id)
    path = path or output_dir() / f"СОН_занятия_{start:%Y-%m-%d}_{end:%Y-%m-%d}.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(rows)
    with write_transaction():
        store.audit(
            "export", "service_entry", None, {"what": "csv_groups", "from": start, "to": end, "rows": len(rows)}
        )
    return ExportResult(path, len(rows))


# --- Today ----------------------------------------------------------------------------------------


def today_items(actor: Actor, today: dt.date) -> list:
    """Today's sessions of the clubs the actor leads (heads: all clubs), as TodayItems."""
    access.require_staff(actor)  # access: staff

    q = (
        m.GroupSession.select(m.GroupSession, m.Club)
        .join(m.Club)
        .where((m.GroupSession.date == today) & (m.GroupSession.status != "cancelled"))
    )
    if not actor.is_head:
        led = m.ClubLeader.select(m.ClubLeader.club).where(m.ClubLeader.staff == actor.id)
        q = q.where(m.Club.id.in_(led))
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
    return items


# --- demo data -----------------------------------------------------------------------------------

DEMO_CLUBS = [
    {
        "name": "Клуб общения «Родничок»",
        "kind": "club",
        "category": "child",
        "dep": 0,
        "leaders": ["morozova", "ivanova"],
        "room": "каб. 104 (сенсорная комната)",
        "capacity": 16,
        "members": 14,
        "goal": "Развитие коммуникативных навыков детей: умение работать в группе, сопереживать, "
        "поддерживать друг друга.",
        "programme": [
            ("Давайте познакомимся", "Знакомство участников, правила группы"),
            ("Мои эмоции", "Учимся называть свои чувства"),
            ("Я и мои друзья", "Модели дружеского поведения"),
            ("Умею слушать", "Навык активного слушания"),
            ("Вместе веселее", "Совместная игра, распределение ролей"),
            ("Помоги другому", "Сопереживание и взаимопомощь"),
            ("Спорим без ссор", "Конструктивное разрешение разногласий"),
            ("Мой город", "Экскурсия-игра, поведение в общественных местах"),
            ("Мастерская добрых дел", "Подготовка подарков ко Дню матери"),
            ("Новогодняя мастерская", "Совместное творчество, работа в команде"),
            ("Итоги и планы", "Рефлексия, отзывы участников и родителей"),
        ],
    },
    {
        "name": "Группа взаимоподдержки для родителей детей-инвалидов",
        "kind": "support_group",
        "category": "child",
        "dep": 1,
        "leaders": ["sokolov", "petrova"],
        "room": "каб. 212",
        "capacity": 12,
        "members": 10,
        "goal": "Взаимная поддержка родителей, обмен опытом воспитания и реабилитации детей, "
        "снижение эмоционального напряжения.",
        "programme": [
            ("Знакомство. Правила группы", "Безопасная атмосфера, доверие"),
            ("Принятие диагноза ребёнка", "Проживание чувств, поддержка группы"),
            ("Ресурсы семьи", "Где брать силы: личные и семейные ресурсы"),
            ("Права семей с детьми-инвалидами", "Меры социальной поддержки, ИПРА"),
            ("Профилактика эмоционального выгорания", "Приёмы саморегуляции"),
            ("Братья и сёстры", "Отношения в семье с особым ребёнком"),
            ("Опыт других семей", "Обмен опытом, истории успеха"),
            ("Итоговая встреча", "Отзывы, планы на следующий цикл"),
        ],
    },
    {
        "name": "Клуб «Серебряный возраст»",
        "kind": "club",
        "category": "elderly",
        "dep": 2,
        "leaders": ["ivanova", "morozova"],
        "room": "актовый зал",
        "capacity": 24,
        "members": 21,
        "goal": "Активное долголетие: общение, преодоление одиночества, поддержка друг друга.",
        "programme": [
            ("Встреча друзей", "Знакомство, планы клуба"),
            ("Песни нашей молодости", "Вокальный вечер, воспоминания"),
            ("Здоровье в наших руках", "Беседа с медсестрой, гимнастика"),
            ("Финансовая грамотность", "Как не стать жертвой мошенников"),
            ("Рукоделие", "Мастер-класс, обмен навыками"),
            ("Литературная гостиная", "Чтение и обсуждение"),
            ("Мобильный телефон — помощник", "Видеозвонки родным"),
            ("Народные праздники", "Традиции, чаепитие"),
            ("Новогодний огонёк", "Праздничная программа"),
            ("Рождественские встречи", "Традиции, обмен воспоминаниями"),
            ("Моя родословная", "Семейные истории, связь поколений"),
            ("Итоги сезона", "Отзывы участников, планы клуба"),
        ],
    },
]

DEMO_ABSENCE = ["болеет", "уважительная причина (по заявлению)", "на процедурах", "семейные обстоятельства"]
DEMO_FEEDBACK = [
    ("client", "", "Очень понравилось, хотим ещё такие занятия."),
    ("staff", "Кузнецова Т. Н.", "Занятие проведено методически грамотно, группа активна."),
    ("guest", "Представитель Управления социальной политики", "Тёплая атмосфера, дети открыты."),
    ("client", "", "Было интересно, узнали много нового."),
]


def seed_demo(ctx) -> None:
    """Three clubs with programmes, schedules, 10–20 members, past sessions with attendance, and
    today's sessions when today is a working day (registered in demo.SEEDERS). Bulk data, no audit."""
    rng = ctx.rng
    today = ctx.today
    wd = today.weekday() if today.weekday() < 5 else 0
    schedules = [
        [(wd, "15:00", "16:00"), ((wd + 2) % 5, "15:00", "16:00")],
        [((wd + 1) % 5, "17:00", "18:00")],
        [(wd, "11:00", "12:30"), ((wd + 3) % 5, "11:00", "12:30")],
    ]
    start = today - dt.timedelta(weeks=4, days=2)
    end = today + dt.timedelta(weeks=16)
    children_by_dep: dict[int, list[int]] = {}
    elderly: list[int] = []
    for c in m.Client.select().where(m.Client.id.in_(ctx.clients)).order_by(m.Client.id):
        if c.category == "child":
            children_by_dep.setdefault(c.department_id, []).append(c.id)
        else:
            elderly.append(c.id)
    with write_transaction():
        for spec, slots in zip(DEMO_CLUBS, schedules):
            dep = ctx.departments[spec["dep"]] if spec["dep"] < len(ctx.departments) else None
            club = m.Club.create(
                name=spec["name"],
                kind=spec["kind"],
                goal=spec["goal"],
                room=spec["room"],
                capacity=spec["capacity"],
                department=dep,
                start_date=start,
                end_date=end,
            )
            for login in spec["leaders"]:
                if login in ctx.staff:
                    m.ClubLeader.create(club=club, staff=ctx.staff[login])
            items = [
                m.ProgrammeItem.create(club=club, number=i, topic=t, goal=g)
                for i, (t, g) in enumerate(spec["programme"], start=1)
            ]
            slot_objs = [Slot(*s) for s in sorted(set(slots))]
            for s in slot_objs:
                m.ScheduleSlot.create(club=club, weekday=s.weekday, start_time=s.start_time, end_time=s.end_time)
            pool = children_by_dep.get(dep, []) if spec["category"] == "child" else elderly
            chosen = rng.sample(pool, min(spec["members"], len(pool)))
            members = []
            for cid in chosen:
                joined = start + dt.timedelta(days=rng.choice([0, 0, 0, 0, 0, 7, 14]))
                informed = joined if rng.random() < 0.85 else None
                members.append(m.ClubMember.create(club=club, client=cid, joined_on=joined, informed_on=informed))
            if len(members) > 4:  # one participant left: history is kept
                gone = members[-1]
                gone.left_on = today - dt.timedelta(days=20)
                gone.left_reason = "переезд в другой район"
                gone.save()
            leader_id = ctx.staff.get(spec["leaders"][0])
            dates = domain.generate_dates(slot_objs, start, end)
            for i, p in enumerate(dates):
                item = items[i] if i < len(items) else None
                held = p.date < today
                session = m.GroupSession.create(
                    club=club,
                    date=p.date,
                    start_time=p.start_time,
                    end_time=p.end_time,
                    programme_item=item,
                    topic=item.topic if item else "",
                    goal=item.goal if item else "",
                    status="held" if held else "planned",
                )
                if not held:
                    continue
                session.media_taken = rng.random() < 0.5
                session.media_location = f"\\\\server\\Клубы\\{p.date:%Y-%m-%d}" if session.media_taken else ""
                session.analysis = "Цель занятия достигнута, участники активно включались в работу."
                session.summary = "Тема раскрыта; отмечено улучшение взаимодействия в группе."
                session.satisfaction = rng.choice([4, 5, 5, 5, 4, 3])
                session.save()
                minutes = domain.minutes_between(p.start_time, p.end_time)
                for mb in members:
                    if mb.joined_on > p.date or (mb.left_on and mb.left_on <= p.date):
                        continue
                    present = rng.random() < 0.82
                    a = m.Attendance.create(
                        session=session,
                        client=mb.client_id,
                        present=present,
                        absence_reason="" if present else rng.choice(DEMO_ABSENCE),
                    )
                    if present:
                        m.ServiceEntry.create(
                            date=p.date,
                            client=mb.client_id,
                            staff=leader_id,
                            sop="05",
                            service_kind=domain.SERVICE_NAME,
                            units=1,
                            minutes=minutes,
                            source_type="attendance",
                            source_id=a.id,
                            note=f"{club.name}: {session.topic}",
                        )
                for source, author, text in rng.sample(DEMO_FEEDBACK, 2):
                    m.SessionFeedback.create(session=session, source=source, author=author, text=text)
