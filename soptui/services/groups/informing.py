"""Informing participants of a session (SOP 05 stage 2, «информирование получателей социальных услуг о
проведении занятия»): per participant who informed them, how and when; the list printed to tick off."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from soptui.core import clock
from soptui.db import models as m
from soptui.db import store
from soptui.db.connection import write_transaction
from soptui.domain.labels import INFORM_CHANNELS
from soptui.services import access, institution, printing
from soptui.services.groups._common import GroupError, person_name, session_or_raise
from soptui.services.groups.documents import leader_full_names


@dataclass(frozen=True)
class NoticeRow:
    """A participant expected at the session and whether (by whom, how, when) they were informed."""

    client_id: int
    name: str
    informed: bool
    channel: str
    channel_label: str
    informed_at: dt.datetime | None
    informed_by_id: int | None
    informed_by: str  # the staff member's full name
    note: str
    version: int  # the notice's version (0: no notice yet), for the conflict check


@dataclass(frozen=True)
class Informing:
    """A session's informing: the session and one row per participant."""

    session_id: int
    club_name: str
    date: dt.date
    start_time: str
    end_time: str
    topic: str
    rows: tuple[NoticeRow, ...]

    @property
    def informed(self) -> int:
        return sum(1 for r in self.rows if r.informed)


@dataclass(frozen=True)
class InformingList:
    """What the printed informing list carries: the institution, the leaders and the session's rows."""

    institution: str
    leaders: tuple[str, ...]
    informing: Informing


def _participants(s: m.GroupSession) -> list[m.Client]:
    """Members active on the session's date, and anyone informed or marked there already."""
    active = list(
        m.Client.select()
        .join(m.ClubMember)
        .where(
            (m.ClubMember.club == s.club_id)
            & (m.ClubMember.joined_on <= s.date)
            & (m.ClubMember.left_on.is_null() | (m.ClubMember.left_on > s.date))
        )
        .distinct()
    )
    seen = {c.id for c in active}
    others = {n.client_id for n in m.SessionNotice.select().where(m.SessionNotice.session == s.id)} - seen
    if others:
        active += list(m.Client.select().where(m.Client.id.in_(list(others))))
    return sorted(active, key=lambda c: (c.name_key, c.id))


def informing(session_id: int) -> Informing:
    """The participants expected at the session with their informing status."""
    access.require_session(None, session_id)  # access: department
    s = session_or_raise(session_id)
    notices = {n.client_id: n for n in m.SessionNotice.select().where(m.SessionNotice.session == s.id)}
    staff_ids = {n.informed_by_id for n in notices.values() if n.informed_by_id}
    names = {st.id: person_name(st) for st in m.Staff.select().where(m.Staff.id.in_(list(staff_ids) or [0]))}
    rows = []
    for c in _participants(s):
        n = notices.get(c.id)
        rows.append(
            NoticeRow(
                c.id,
                person_name(c),
                n is not None,
                n.channel if n else "",
                INFORM_CHANNELS.get(n.channel, n.channel) if n else "",
                n.informed_at if n else None,
                n.informed_by_id if n else None,
                names.get(n.informed_by_id, "") if n else "",
                n.note if n else "",
                n.version if n else 0,
            )
        )
    return Informing(s.id, s.club.name, s.date, s.start_time, s.end_time, s.topic, tuple(rows))


def _session_start(s: m.GroupSession) -> dt.datetime:
    return dt.datetime.combine(s.date, dt.datetime.strptime(s.start_time, "%H:%M").time())


def mark_informed(
    session_id: int,
    client_id: int,
    channel: str,
    informed_at: dt.datetime,
    informed_by: int | None = None,
    note: str = "",
    version: int = 0,
) -> int:
    """Record that the participant was informed of the session: how (INFORM_CHANNELS), when, by whom (the
    signed-in person by default). `version`: the notice's version the dialog showed (0: none); a
    colleague's mark since raises ConflictError with theirs. Returns the notice's new version."""
    actor = access.require_session(None, session_id)  # access: department
    if channel not in INFORM_CHANNELS:
        raise GroupError("Выберите, как проинформировали: звонок, SMS, лично или мессенджер.", "channel")
    if not isinstance(informed_at, dt.datetime):
        raise GroupError("Укажите, когда проинформировали: ДД.ММ.ГГГГ ЧЧ:ММ.", "informed_at")
    informed_by = informed_by if informed_by is not None else actor.id
    note = " ".join((note or "").split())
    with write_transaction():
        s = session_or_raise(session_id)
        if s.status == "cancelled":
            raise GroupError("Занятие отменено: информировать о нём некого.")
        if informed_at > clock.now():
            raise GroupError("Время информирования не может быть в будущем.", "informed_at")
        if informed_at > _session_start(s):
            raise GroupError(
                f"Информируют до занятия: оно начиналось {clock.fmt_date(s.date)} в {s.start_time}.", "informed_at"
            )
        if m.Staff.get_or_none((m.Staff.id == informed_by) & m.Staff.active) is None:
            raise GroupError("Выберите сотрудника, который проинформировал.", "informed_by")
        if client_id not in {c.id for c in _participants(s)}:
            raise GroupError("Этот клиент не участник клуба на дату занятия.", "client")
        values = {"channel": channel, "informed_at": informed_at, "informed_by": informed_by, "note": note}
        current = m.SessionNotice.get_or_none((m.SessionNotice.session == s.id) & (m.SessionNotice.client == client_id))
        if current is None:
            if version:
                raise store.ConflictError({"channel": "", "informed_at": None, "informed_by": None}, {})
            return store.create(m.SessionNotice, session=s.id, client=client_id, **values).version
        return store.update_versioned(m.SessionNotice, current.id, version, values).version


def clear_informed(session_id: int, client_id: int, version: int) -> None:
    """Remove a participant's informing mark (entered by mistake); `version` as for mark_informed."""
    access.require_session(None, session_id)  # access: department
    with write_transaction():
        current = m.SessionNotice.get_or_none(
            (m.SessionNotice.session == session_id) & (m.SessionNotice.client == client_id)
        )
        if current is None:
            return
        if current.version != version:
            raise store.ConflictError(store.row_dict(current), {})
        store.delete(m.SessionNotice, current.id)


def informing_list(session_id: int) -> InformingList:
    """The printed list's data."""
    access.require_session(None, session_id)  # access: department
    data = informing(session_id)
    s = session_or_raise(session_id)
    return InformingList(institution.get().full_name, tuple(leader_full_names(s.club_id)), data)


def print_informing_list(session_id: int, folder: Path | None = None) -> Path:
    """Write the informing list PDF of the session and return its path."""
    access.require_session(None, session_id)  # access: department
    from soptui.forms import informing_list as form

    return printing.save(form, informing_list(session_id), folder)
