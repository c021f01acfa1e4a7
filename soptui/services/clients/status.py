"""The client status lifecycle: potential -> served -> closed / refused, reopening allowed, each move kept."""

from __future__ import annotations

import datetime as dt

from soptui.core import clock, session
from soptui.db import models as m
from soptui.db import store
from soptui.db.connection import write_transaction
from soptui.domain.clients import NEEDS_REASON, TRANSITIONS
from soptui.domain.labels import CLIENT_STATUSES
from soptui.services import access
from soptui.services.clients._common import load_client


def change_status(client_id: int, new_status: str, reason: str = "", on: dt.date | None = None) -> None:
    """Move a client along potential -> served -> closed / refused; reopening is allowed."""
    access.require_client_id(None, client_id)  # access: client
    actor = session.current()
    if new_status not in CLIENT_STATUSES:
        raise ValueError("Неизвестный статус.")
    if new_status in NEEDS_REASON and not reason.strip():
        raise ValueError("Укажите причину.")
    on = on or clock.today()
    if on > clock.today():
        raise ValueError("Дата не может быть в будущем.")
    when = dt.datetime.combine(on, clock.now().time()) if on != clock.today() else clock.now()
    with write_transaction():
        client = load_client(client_id, actor)
        if new_status not in TRANSITIONS.get(client.status, ()):
            raise ValueError(
                f"Из статуса «{CLIENT_STATUSES.get(client.status, client.status)}» "
                f"нельзя перейти в «{CLIENT_STATUSES[new_status]}»."
            )
        m.ClientStatusChange.create(
            client=client_id,
            old_status=client.status,
            new_status=new_status,
            reason=reason.strip(),
            changed_at=when,
            staff=session.actor_id(),
        )
        store.update_versioned(
            m.Client,
            client_id,
            client.version,
            {"status": new_status, "status_reason": reason.strip(), "status_changed_at": when},
        )
