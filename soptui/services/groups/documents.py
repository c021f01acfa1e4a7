"""Printed documents of a club: the monthly attendance sheet, the plan and schedule, a session's report.

The services prepare the data (institution and leaders' full names included); `services.printing` renders,
names and saves the PDF.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from soptui.db import models as m
from soptui.domain.labels import CLUB_KINDS
from soptui.services import access, institution, printing
from soptui.services.groups._common import club_or_raise, person_name
from soptui.services.groups.clubs import ClubCard, get_club
from soptui.services.groups.sessions import SessionDetail, get_session

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
    leaders: tuple[str, ...]  # full names, as they sign
    dates: tuple[tuple[dt.date, str], ...]  # (date, start time)
    rows: tuple[SheetRow, ...]
    session_totals: tuple[int, ...]
    total: int


@dataclass(frozen=True)
class ClubPlan:
    """What the plan-and-schedule form prints: the club card, the institution and the leaders' full names."""

    institution: str
    leaders: tuple[str, ...]
    card: ClubCard


@dataclass(frozen=True)
class SessionReport:
    """What the session report form prints: the session, the institution and the leaders' full names."""

    institution: str
    leaders: tuple[str, ...]
    detail: SessionDetail


def attendance_sheet(club_id: int, year: int, month: int) -> AttendanceSheet:
    """Participants × session dates of one month with marks and totals."""
    access.require_club(None, club_id)  # access: department
    club = club_or_raise(club_id)
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
        entry = people.setdefault(mb.client.id, (person_name(mb.client), []))
        entry[1].append((mb.joined_on, mb.left_on))
    extra = {cid for cid, _ in marks} - set(people)
    for c in m.Client.select().where(m.Client.id.in_(list(extra) or [0])):
        people[c.id] = (person_name(c), [])
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
    return AttendanceSheet(
        institution.get().full_name,
        club.name,
        CLUB_KINDS.get(club.kind, club.kind),
        club.room,
        year,
        month,
        f"{MONTHS[month - 1]} {year}",
        tuple(leader_full_names(club_id)),
        tuple((s.date, s.start_time) for s in sessions),
        tuple(rows),
        tuple(totals),
        sum(totals),
    )


def leader_full_names(club_id: int) -> list[str]:
    return [
        person_name(l.staff)
        for l in m.ClubLeader.select(m.ClubLeader, m.Staff)
        .join(m.Staff)
        .where(m.ClubLeader.club == club_id)
        .order_by(m.ClubLeader.id)
    ]


def club_plan(club_id: int) -> ClubPlan:
    """The club's plan and schedule as printed."""
    access.require_club(None, club_id)  # access: department
    return ClubPlan(institution.get().full_name, tuple(leader_full_names(club_id)), get_club(club_id))


def session_report(session_id: int) -> SessionReport:
    """One session's report as printed."""
    access.require_session(None, session_id)  # access: department
    detail = get_session(session_id)
    return SessionReport(institution.get().full_name, tuple(leader_full_names(detail.club_id)), detail)


def print_attendance_sheet(club_id: int, year: int, month: int, folder: Path | None = None) -> Path:
    """Write the monthly attendance sheet PDF and return its path."""
    access.require_club(None, club_id)  # access: department
    from soptui.forms import attendance

    return printing.save(attendance, attendance_sheet(club_id, year, month), folder)


def print_club_plan(club_id: int, folder: Path | None = None) -> Path:
    """Write the club's plan and schedule PDF and return its path."""
    access.require_club(None, club_id)  # access: department
    from soptui.forms import club_plan as form

    return printing.save(form, club_plan(club_id), folder)


def print_session_report(session_id: int, folder: Path | None = None) -> Path:
    """Write the report of one session PDF and return its path."""
    access.require_session(None, session_id)  # access: department
    from soptui.forms import session_report as form

    return printing.save(form, session_report(session_id), folder)
