"""Referral intake: incoming information about a family creates (or links) the client and starts the SOP deadlines."""

from __future__ import annotations

import datetime as dt

from soptui.core import clock, session
from soptui.db import models as m
from soptui.db import store
from soptui.db.connection import write_transaction
from soptui.services import access, referrals
from soptui.services.clients._common import load_client
from soptui.services.clients.edit import ClientData, create_client


def take_referral(
    client_id: int | None,
    data: ClientData | None,
    received_at: dt.datetime,
    ground: str,
    source_body: str,
    summary: str,
    intake_log: str,
    assigned_staff_id: int | None,
    source_term_due: dt.date | None = None,
    late_reason: str = "",
) -> tuple[int, int]:
    """Register incoming information: create the client (status potential) or link an existing one.

    Registered now: past the SOP 04 registration deadline `late_reason` is required. Returns (client_id, referral_id).
    """
    access.require_client_id(None, client_id) if client_id is not None else access.require_department(
        None, data.department_id if data else None
    )  # access: client
    if received_at > clock.now():
        raise ValueError("Время поступления не может быть в будущем.")
    due = referrals.compute_deadlines(received_at, ground, source_term_due).registration
    if clock.today() > due and not late_reason.strip():
        raise ValueError(referrals.late_registration_message(due))
    if client_id is None:
        if data is None:
            raise ValueError("Выберите клиента или заполните его данные.")
        if data.assigned_staff_id is None:
            data.assigned_staff_id = assigned_staff_id
        client_id = create_client(data, "potential", "поступила информация")
    else:
        load_client(client_id, session.current())
        if assigned_staff_id is not None:
            with write_transaction():
                client = m.Client.get_by_id(client_id)
                if client.assigned_staff_id is None:
                    store.update_versioned(m.Client, client_id, client.version, {"assigned_staff": assigned_staff_id})
    ref_id = referrals.create_referral(
        client_id,
        received_at,
        ground,
        source_body,
        summary,
        intake_log,
        taken_by=session.actor_id(),
        assigned_staff=assigned_staff_id,
        source_term_due=source_term_due,
        late_reason=late_reason,
    )
    return client_id, ref_id
