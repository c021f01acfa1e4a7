"""Shared data for the call tests: a family with a referral, a representative and phones."""

from __future__ import annotations

import datetime as dt

from soptui.db import models as m
from soptui.db.connection import write_transaction
from soptui.services import clients, referrals


def make_family(
    staff_ids: dict[str, int] | None = None,
    phone: bool = True,
    received: dt.datetime = dt.datetime(2026, 11, 23, 11, 0),
    category: str = "child",
    with_referral: bool = True,
) -> dict[str, int]:
    """A potential client (child) with a mother (phone + WhatsApp) and a referral from the school."""
    spec = (staff_ids or {}).get("spec")
    dept = m.Staff.get_by_id(spec).department_id if spec else None
    with write_transaction():
        child = m.Client.create(
            last_name="Котова",
            first_name="Алиса",
            patronymic="Игоревна",
            name_key="котова алиса игоревна",
            birth_date=dt.date(2016, 4, 2),
            category=category,
            department=dept,
            address="г. Берёзовский, ул. Ленина, д. 5",
            status="potential",
            assigned_staff=spec,
        )
        mother = m.Representative.create(
            client=child, relation="мать", last_name="Котова", first_name="Дарья", patronymic="Сергеевна"
        )
        relative = m.Contact.create(
            client=child,
            kind="relative",
            relation="бабушка",
            last_name="Котова",
            first_name="Нина",
            patronymic="Петровна",
        )
        if phone:
            m.ContactPoint.create(representative=mother, channel="phone", value="+79123456789")
            m.ContactPoint.create(representative=mother, channel="whatsapp", value="+79123456789")
            m.ContactPoint.create(contact=relative, channel="phone", value="+79220001122")
            m.ContactPoint.create(contact=relative, channel="viber", value="+79220001122")
        clients.reindex(child.id)
    ids = {"client": child.id, "mother": mother.id, "relative": relative.id}
    if with_referral:
        from soptui.services import access

        with access.acting_as(access.centre_actor(spec)):  # intake, done before anyone signs in here
            ids["referral"] = _referral(child.id, received, spec)
    return ids


def _referral(child_id: int, received: dt.datetime, spec: int | None) -> int:
    return referrals.create_referral(
        child_id,
        received,
        "prevention_request",
        "МАОУ СОШ № 2",
        "Ребёнок часто пропускает занятия, классный руководитель не может связаться с родителями.",
        assigned_staff=spec,
        registered_at=received,  # registered on arrival (SOP 04)
    )


def make_ready(call_id: int, sop: str) -> None:
    """What the SOP asks before the talk: SOP 03 the notice to a mobile sent, SOP 01 the ground and channel,
    SOP 02 the sessions agreed with the client."""
    from soptui.services import calls

    if sop == "03":
        calls.record_notice_sent(call_id)
    elif sop == "01":
        calls.set_details(call_id, channel="whatsapp", ground="ipra")
    elif sop == "02":  # the client's wish: Fridays at 16:00, weekly
        calls.set_details(call_id, client_session=(dt.datetime(2026, 11, 27, 16, 0), 7, None))
