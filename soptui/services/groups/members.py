"""Club members (SOP 05 stage 2): joining, leaving, being informed of the schedule."""

from __future__ import annotations

import datetime as dt

from soptui.core import clock
from soptui.db import models as m
from soptui.db import store
from soptui.db.connection import write_transaction
from soptui.domain import groups as domain
from soptui.services import access
from soptui.services.groups._common import GroupError, club_or_raise, person_name, quoted


class AdmissionReasonRequired(GroupError):
    """The client is off service, refused, or gave no personal-data consent: a reason must be given and
    is recorded with the membership (issue 13, point 14). `warnings` are the Russian reasons for the warning."""

    def __init__(self, name: str, warnings: list[str]) -> None:
        super().__init__(admission_message(name, warnings), "reason")
        self.warnings = tuple(warnings)


def admission_message(name: str, warnings: list[str]) -> str:
    return (
        f"Внимание: {name} — {'; '.join(warnings)}. Включить в группу можно, указав причину: "
        f"она будет записана вместе с тем, кто включил."
    )


def membership_warnings(club_id: int, client_id: int) -> list[str]:
    """What stands in the way of adding the client to the club ([] when nothing): shown before adding."""
    access.require_client_id(access.require_club(None, club_id), client_id)  # access: client
    client = m.Client.get_or_none(m.Client.id == client_id)
    if client is None:
        raise GroupError("Клиент не найден: возможно, карточку удалили.")
    return domain.membership_warnings(client.status, client.consent_date)


def add_member(
    club_id: int,
    client_id: int,
    joined_on: dt.date | None = None,
    informed_on: dt.date | None = None,
    reason: str = "",
) -> int:
    """Add a client to the club; refuses a second active membership and a full club.

    A client «снят с обслуживания», with «отказ», or without personal-data consent is added only with
    `reason` (AdmissionReasonRequired otherwise); the warning, the reason and who added are recorded."""
    actor = access.require_client_id(access.require_club(None, club_id), client_id)  # access: client
    joined_on = joined_on or clock.today()
    reason = " ".join((reason or "").split())
    with write_transaction():
        club = club_or_raise(club_id)
        client = m.Client.get_or_none(m.Client.id == client_id)
        if client is None:
            raise GroupError("Клиент не найден: возможно, карточку удалили.")
        name = person_name(client)
        warnings = domain.membership_warnings(client.status, client.consent_date)
        if warnings and not reason:
            raise AdmissionReasonRequired(name, warnings)
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
        admitted = {}
        if warnings:
            admitted = {"admit_warning": "; ".join(warnings), "admit_reason": reason, "admit_by": actor.id}
        mb = store.create(
            m.ClubMember, club=club_id, client=client_id, joined_on=joined_on, informed_on=informed_on, **admitted
        )
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
