"""Who viewed and changed a client's file (152-FZ): the audit log of the client and their people, for heads."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from soptui.core import session
from soptui.db import models as m
from soptui.domain.clients import FIELD_LABELS
from soptui.services import access
from soptui.services.errors import AccessDenied
from soptui.services.staff import Names


@dataclass(frozen=True)
class AuditRow:
    at: dt.datetime
    staff: str
    action: str
    what: str
    details: str


ACTION_LABELS = {"view": "просмотр", "create": "создание", "update": "изменение", "delete": "удаление"}
TABLE_LABELS = {
    "client": "карточка",
    "representative": "представитель",
    "contact": "родственник/друг",
    "referral": "обращение",
}


def client_audit(client_id: int, limit: int = 500) -> list[AuditRow]:
    """Who viewed and changed this client's file (heads and administrators only)."""
    access.require_client_id(access.require_head(None), client_id)  # access: head
    actor = session.current()
    if actor is not None and not actor.is_head:
        raise AccessDenied()
    reps = [r.id for r in m.Representative.select(m.Representative.id).where(m.Representative.client == client_id)]
    cons = [c.id for c in m.Contact.select(m.Contact.id).where(m.Contact.client == client_id)]
    refs = [r.id for r in m.Referral.select(m.Referral.id).where(m.Referral.client == client_id)]
    A = m.AuditLog
    cond = (A.table == "client") & (A.record_id == client_id)
    for table, ids in (("representative", reps), ("contact", cons), ("referral", refs)):
        if ids:
            cond |= (A.table == table) & A.record_id.in_(ids)
    names = Names()
    rows = []
    for a in A.select().where(cond).order_by(A.at.desc(), A.id.desc()).limit(limit):
        details = ""
        if a.action == "update" and a.changes:
            try:
                changed = json.loads(a.changes)
                details = ", ".join(FIELD_LABELS.get(k, k) for k in changed if k not in ("name_key",))
            except ValueError:
                details = ""
        rows.append(
            AuditRow(
                a.at,
                names.short(a.staff_id) or "—",
                ACTION_LABELS.get(a.action, a.action),
                TABLE_LABELS.get(a.table, a.table),
                details,
            )
        )
    return rows
