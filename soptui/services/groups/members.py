"""Club members (SOP 05 stage 2): joining, leaving, being informed of the schedule."""

from __future__ import annotations

import datetime as dt

from soptui.core import clock
from soptui.db import models as m
from soptui.db import store
from soptui.db.connection import write_transaction
from soptui.services import access
from soptui.services.groups._common import GroupError, club_or_raise, person_name, quoted


def add_member(
    club_id: int, client_id: int, joined_on: dt.date | None = None, informed_on: dt.date | None = None
) -> int:
    """Add a client to the club; refuses a second active membership and a full club."""
    access.require_client_id(access.require_club(None, club_id), client_id)  # access: client
    joined_on = joined_on or clock.today()
    with write_transaction():
        club = club_or_raise(club_id)
        client = m.Client.get_or_none(m.Client.id == client_id)
        if client is None:
            raise GroupError("Клиент не найден: возможно, карточку удалили.")
        name = person_name(client)
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
