"""What the groups modules share: SOP 05 errors, the programme row, lookups by id, leaders and topic numbering."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from soptui.core.text import full_name, short_name
from soptui.db import models as m
from soptui.domain import groups as domain
from soptui.domain.groups import SessionRef, Slot

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


@dataclass(frozen=True)
class ProgrammeRow:
    id: int
    number: int
    topic: str
    goal: str


def schedule_text(slots: Sequence[Slot]) -> str:
    if not slots:
        return "расписание не задано"
    return ", ".join(
        f"{domain.WEEKDAY_SHORT[s.weekday]} {s.start_time}–{s.end_time}" for s in sorted(slots, key=lambda s: s.weekday)
    )


def quoted(name: str) -> str:
    """A club name in «» unless it already has its own quotes: Клуб «Родничок» stays as is."""
    return name if "«" in name else f"«{name}»"


def person_name(row) -> str:
    return full_name(row.last_name, row.first_name, row.patronymic)


def club_or_raise(club_id: int) -> m.Club:
    club = m.Club.get_or_none(m.Club.id == club_id)
    if club is None:
        raise GroupError("Клуб не найден: возможно, его удалили.")
    return club


def session_or_raise(session_id: int) -> m.GroupSession:
    s = m.GroupSession.get_or_none(m.GroupSession.id == session_id)
    if s is None:
        raise GroupError("Занятие не найдено: возможно, его удалили.")
    return s


def leaders_by_club(club_ids: Sequence[int]) -> dict[int, list[tuple[int, str]]]:
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


def renumber_topics(club_id: int) -> None:
    """Planned sessions whose topic is still the programme's take the programme items in date order.

    An extra session (added by hand) is not a step of the programme: it takes no item and counts for no
    position, so adding one does not shift the later sessions' topics (issue 13, point 14)."""
    items = list(m.ProgrammeItem.select().where(m.ProgrammeItem.club == club_id).order_by(m.ProgrammeItem.number))
    by_id = {p.id: p for p in items}
    sessions = list(
        m.GroupSession.select()
        .where((m.GroupSession.club == club_id) & (m.GroupSession.status != "cancelled") & ~m.GroupSession.extra)
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
