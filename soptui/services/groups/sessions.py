"""Single sessions (add, move, cancel, restore, delete) and the session report (SOP 05 stage 4):
topic, media, analysis, feedback, satisfaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from soptui.core import clock
from soptui.db import models as m
from soptui.db import store
from soptui.db.connection import write_transaction
from soptui.domain import groups as domain
from soptui.domain import workdays
from soptui.domain.labels import FEEDBACK_SOURCES
from soptui.services import access
from soptui.services.groups._common import (
    GroupError,
    LimitViolation,
    ProgrammeRow,
    WeeklyLimitError,
    club_or_raise,
    leaders_by_club,
    person_name,
    renumber_topics,
    session_or_raise,
)
from soptui.services.groups.rollcall import attended_refs, spread_report_minutes


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
    report_seconds: int = 0  # measured time spent writing the report so far


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
        club = club_or_raise(club_id)
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
        renumber_topics(club_id)
    return s.id


def move_session(session_id: int, day: dt.date, start_time: str, end_time: str) -> None:
    """Move one session; its attendance and service entries move with it (the weekly cap rechecked)."""
    access.require_session(None, session_id)  # access: department
    with write_transaction():
        s = session_or_raise(session_id)
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
                others = domain.weekly_cap_conflict(day, attended_refs(a.client_id, day, exclude=s.id))
                if others:
                    violations.append(
                        LimitViolation(
                            a.client_id,
                            person_name(a.client),
                            tuple(others),
                            domain.limit_message(person_name(a.client), others),
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
        renumber_topics(club.id)


def cancel_session(session_id: int, reason: str = "") -> None:
    access.require_session(None, session_id)  # access: department
    with write_transaction():
        s = session_or_raise(session_id)
        if m.Attendance.select().where((m.Attendance.session == s.id) & m.Attendance.present).exists():
            raise GroupError("На занятии уже отмечены присутствующие: сначала снимите отметки.")
        changes = {"status": "cancelled"}
        if reason.strip():
            changes["summary"] = f"Отменено: {reason.strip()}"
        store.update_versioned(m.GroupSession, s.id, s.version, changes)
        m.Attendance.delete().where(m.Attendance.session == s.id).execute()
        renumber_topics(s.club_id)


def restore_session(session_id: int) -> None:
    access.require_session(None, session_id)  # access: department
    with write_transaction():
        s = session_or_raise(session_id)
        if s.status == "cancelled":
            store.update_versioned(m.GroupSession, s.id, s.version, {"status": "planned"})
            renumber_topics(s.club_id)


def delete_session(session_id: int) -> None:
    """Delete a session added by mistake, with its marks and service entries."""
    access.require_session(None, session_id)  # access: department
    with write_transaction():
        s = session_or_raise(session_id)
        ids = [a.id for a in m.Attendance.select(m.Attendance.id).where(m.Attendance.session == s.id)]
        (
            m.ServiceEntry.delete()
            .where((m.ServiceEntry.source_type == "attendance") & m.ServiceEntry.source_id.in_(ids or [0]))
            .execute()
        )
        store.delete(m.GroupSession, s.id)
        renumber_topics(s.club_id)


def get_session(session_id: int) -> SessionDetail:
    access.require_session(None, session_id)  # access: department
    s = session_or_raise(session_id)
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
    present = tuple(person_name(a.client) for a in att if a.present)
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
        tuple(n for _, n in leaders_by_club([club.id]).get(club.id, [])),
        programme,
        feedback,
        present,
        s.report_seconds,
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


def save_session_report(
    session_id: int, version: int, changes: dict, original: dict | None = None, writing_seconds: float = 0
) -> int:
    """Save topic, goal, guests, photo/video, analysis, summary and satisfaction; returns the new version.
    `writing_seconds`: the time the form measured writing these changes, added to the report's time and
    shared out as documentation minutes among the session's service entries."""
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
    if writing_seconds < 0:
        raise ValueError("writing_seconds < 0")
    with write_transaction():
        updated = store.update_versioned(m.GroupSession, session_id, version, changes, original)
        if writing_seconds:
            m.GroupSession.update(report_seconds=m.GroupSession.report_seconds + int(writing_seconds)).where(
                m.GroupSession.id == session_id
            ).execute()
            spread_report_minutes(session_id)
    return updated.version


def add_feedback(session_id: int, source: str, author: str, text: str) -> int:
    """A review of the session from staff, a client or a guest (SOP 05 stage 4)."""
    access.require_session(None, session_id)  # access: department
    if source not in FEEDBACK_SOURCES:
        raise GroupError("Выберите, от кого отзыв: сотрудник, получатель услуг или гость.", "source")
    if not text.strip():
        raise GroupError("Введите текст отзыва.", "text")
    with write_transaction():
        session_or_raise(session_id)
        f = store.create(m.SessionFeedback, session=session_id, source=source, author=author.strip(), text=text.strip())
    return f.id


def delete_feedback(feedback_id: int) -> None:
    access.require_feedback(None, feedback_id)  # access: department
    with write_transaction():
        store.delete(m.SessionFeedback, feedback_id)
