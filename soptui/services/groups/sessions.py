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
    ProgrammeRow,
    club_or_raise,
    leaders_by_club,
    person_name,
    renumber_topics,
    session_or_raise,
)
from soptui.services.groups.rollcall import check_weekly_limit, spread_report_minutes


@dataclass(frozen=True)
class FeedbackRow:
    """One review of the session (SOP 05 stage 4): who gave it, the score 1-5 (None before v10), the words."""

    id: int
    source: str
    source_label: str
    author: str  # the person's name: the participant's or staff member's full name, a guest's as typed
    text: str
    score: int | None = None
    client_id: int | None = None
    staff_id: int | None = None
    version: int = 1


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
    satisfaction: float | None  # the mean of the reviews' scores; before v10, the one score staff entered
    present: int
    marked: int
    leaders: tuple[str, ...]
    programme: tuple[ProgrammeRow, ...]
    feedback: tuple[FeedbackRow, ...]
    present_names: tuple[str, ...]
    report_seconds: int = 0  # measured time spent writing the report so far
    props: str = ""  # SOP 05 stage 1: «подготовка реквизита»
    first_meeting: bool = False  # SOP 05 stage 2: the first acquaintance with the participants
    extra: bool = False
    legacy_satisfaction: int | None = None  # the one-per-session score entered before v10
    present_clients: tuple[tuple[int, str], ...] = ()  # (client id, full name) of those present

    @property
    def scores(self) -> int:
        """How many reviews carry a score."""
        return sum(1 for f in self.feedback if f.score is not None)

    def satisfaction_text(self) -> str:
        """«4,5 (оценок: 4)», the legacy «4 (оценка занятия до отзывов по участникам)», or «нет оценок»."""
        if self.scores:
            return f"{domain.score_text(self.satisfaction)} (оценок: {self.scores})"
        if self.legacy_satisfaction is not None:
            return f"{self.legacy_satisfaction} (одна оценка занятия, внесена до отзывов по участникам)"
        return "нет оценок"


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
    """An extra session outside the weekly schedule (SOP 05 allows up to two a week per client).

    It takes no programme topic (the leader gives it one in the report), so the later sessions keep theirs."""
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
        s = store.create(
            m.GroupSession, club=club_id, date=day, start_time=start_time, end_time=end_time, manual=True, extra=True
        )
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
        held = s.status == "held" or m.Attendance.select().where(m.Attendance.session == s.id).exists()
        if held and day > clock.today():
            # its service entries would move with it: a service rendered on a day still to come
            raise GroupError(
                "Занятие уже проведено (явка отмечена): перенести его на будущую дату нельзя. "
                "Для нового занятия добавьте доп. занятие.",
                "date",
            )
        if day != s.date:
            # the roll call's rule on the new day, for everyone present; a head's approval of a third session
            # was for the week it was given in: it holds within that week, not in another
            present = {
                a.client_id: a.override_reason
                for a in m.Attendance.select(m.Attendance.client, m.Attendance.override_reason).where(
                    (m.Attendance.session == s.id) & m.Attendance.present
                )
            }
            approved = {cid for cid, why in present.items() if why} if domain.same_week(day, s.date) else set()
            check_weekly_limit(day, s.id, present, approved)
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


def _feedback_rows(session_id: int) -> tuple[FeedbackRow, ...]:
    F = m.SessionFeedback
    rows = list(F.select().where(F.session == session_id).order_by(F.id))
    clients = {
        c.id: person_name(c) for c in m.Client.select().where(m.Client.id.in_([f.client_id for f in rows] or [0]))
    }
    staff = {st.id: person_name(st) for st in m.Staff.select().where(m.Staff.id.in_([f.staff_id for f in rows] or [0]))}
    out = []
    for f in rows:
        name = clients.get(f.client_id) or staff.get(f.staff_id) or f.author
        out.append(
            FeedbackRow(
                f.id,
                f.source,
                FEEDBACK_SOURCES.get(f.source, f.source),
                name,
                f.text,
                f.score,
                f.client_id,
                f.staff_id,
                f.version,
            )
        )
    return tuple(out)


def get_session(session_id: int) -> SessionDetail:
    access.require_session(None, session_id)  # access: department
    s = session_or_raise(session_id)
    club = s.club
    programme = tuple(
        ProgrammeRow(p.id, p.number, p.topic, p.goal)
        for p in m.ProgrammeItem.select().where(m.ProgrammeItem.club == club.id).order_by(m.ProgrammeItem.number)
    )
    feedback = _feedback_rows(s.id)
    att = list(
        m.Attendance.select(m.Attendance, m.Client)
        .join(m.Client)
        .where(m.Attendance.session == s.id)
        .order_by(m.Client.name_key)
    )
    present_clients = tuple((a.client.id, person_name(a.client)) for a in att if a.present)
    present = tuple(name for _, name in present_clients)
    scored = domain.average_score(f.score for f in feedback)
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
        scored if scored is not None else s.satisfaction,
        len(present),
        len(att),
        tuple(n for _, n in leaders_by_club([club.id]).get(club.id, [])),
        programme,
        feedback,
        present,
        s.report_seconds,
        s.props,
        s.first_meeting,
        s.extra,
        s.satisfaction,
        present_clients,
    )


REPORT_FIELDS = (
    "topic",
    "goal",
    "programme_item",
    "props",
    "first_meeting",
    "guests",
    "media_taken",
    "media_location",
    "analysis",
    "summary",
)


def save_session_report(
    session_id: int, version: int, changes: dict, original: dict | None = None, writing_seconds: float = 0
) -> int:
    """Save topic, goal, props, first acquaintance, guests, photo/video, analysis and summary; returns the new
    version. (Satisfaction is no longer typed here: it is the mean of the reviews' scores, add_feedback.)
    `writing_seconds`: the time the form measured writing these changes, added to the report's time and
    shared out as documentation minutes among the session's service entries."""
    access.require_session(None, session_id)  # access: department
    unknown = set(changes) - set(REPORT_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields {unknown}")
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


def add_feedback(
    session_id: int,
    source: str,
    author: str = "",
    text: str = "",
    score: int | None = None,
    client_id: int | None = None,
    staff_id: int | None = None,
) -> int:
    """A review of the session (SOP 05 stage 4) from a participant, a member of staff or a guest, with the
    satisfaction score 1-5 and the words.

    A participant's review names the client (one marked present at the session), a staff member's the
    staff id, a guest's the name in `author`. One review per participant or staff member a session; the
    session's satisfaction is the mean of the scores."""
    access.require_session(None, session_id)  # access: department
    if source not in FEEDBACK_SOURCES:
        raise GroupError("Выберите, от кого отзыв: сотрудник, получатель услуг или гость.", "source")
    if not (isinstance(score, int) and domain.SCORE_MIN <= score <= domain.SCORE_MAX):
        raise GroupError("Оценка удовлетворённости — от 1 до 5.", "score")
    author = " ".join((author or "").split())
    values: dict = {"source": source, "score": score, "text": (text or "").strip()}
    F = m.SessionFeedback
    with write_transaction():
        s = session_or_raise(session_id)
        if s.status == "cancelled":
            raise GroupError("Занятие отменено: отзывы о нём не собирают.")
        if s.date > clock.today():
            raise GroupError(f"Занятие {clock.fmt_date(s.date)} ещё не прошло: отзывы собирают после занятия.")
        if source == "client":
            if client_id is None:
                raise GroupError("Выберите участника занятия, который дал отзыв.", "person")
            mark = m.Attendance.get_or_none((m.Attendance.session == s.id) & (m.Attendance.client == client_id))
            if mark is None or not mark.present:
                raise GroupError("Отзыв получателя услуг — от участника, отмеченного на занятии.", "person")
            if F.select().where((F.session == s.id) & (F.client == client_id)).exists():
                raise GroupError("Отзыв этого участника уже есть: удалите прежний, чтобы записать новый.", "person")
            values["client"] = client_id
        elif source == "staff":
            person = m.Staff.get_or_none((m.Staff.id == staff_id) & m.Staff.active) if staff_id else None
            if person is None:
                raise GroupError("Выберите сотрудника, который дал отзыв.", "person")
            if F.select().where((F.session == s.id) & (F.staff == staff_id)).exists():
                raise GroupError("Отзыв этого сотрудника уже есть: удалите прежний, чтобы записать новый.", "person")
            values["staff"] = staff_id
        else:
            if not author:
                raise GroupError("Укажите гостя: ФИО или организацию.", "author")
            values["author"] = author
        f = store.create(F, session=session_id, **values)
    return f.id


def delete_feedback(feedback_id: int) -> None:
    access.require_feedback(None, feedback_id)  # access: department
    with write_transaction():
        store.delete(m.SessionFeedback, feedback_id)
