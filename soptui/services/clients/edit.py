"""Create, edit and delete a client; an edit saved over someone else's raises ClientConflict field by field."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from soptui.core import clock, session
from soptui.core.phones import format_phone
from soptui.core.text import fold, full_name
from soptui.db import models as m
from soptui.db import prepared, store
from soptui.db.connection import write_transaction
from soptui.domain.clients import FIELD_LABELS
from soptui.services import access
from soptui.services.clients._common import ClientGone, load_client, replace_points
from soptui.services.clients.card import form_values, summary_of
from soptui.services.clients.index import new_client_terms, reindex


@dataclass
class ClientData:
    """Validated values of the client form (phones E.164, dates as dates)."""

    last_name: str
    first_name: str
    patronymic: str = ""
    birth_date: dt.date | None = None
    category: str = "child"
    department_id: int | None = None
    assigned_staff_id: int | None = None
    address: str = ""
    remote_territory: bool = False
    ipra_number: str = ""
    ipra_start: dt.date | None = None
    ipra_end: dt.date | None = None
    consent_date: dt.date | None = None
    notes: str = ""
    phones: list[str] = field(default_factory=list)
    messengers: list[tuple[str, str]] = field(default_factory=list)

    def columns(self) -> dict[str, Any]:
        return {
            "last_name": self.last_name.strip(),
            "first_name": self.first_name.strip(),
            "patronymic": self.patronymic.strip(),
            "name_key": fold(full_name(self.last_name.strip(), self.first_name.strip(), self.patronymic.strip())),
            "birth_date": self.birth_date,
            "category": self.category,
            "department": self.department_id,
            "assigned_staff": self.assigned_staff_id,
            "address": self.address.strip(),
            "remote_territory": self.remote_territory,
            "ipra_number": self.ipra_number.strip(),
            "ipra_start": self.ipra_start,
            "ipra_end": self.ipra_end,
            "consent_date": self.consent_date,
            "notes": self.notes,
        }

    def form(self) -> dict[str, Any]:
        return {
            "last_name": self.last_name.strip(),
            "first_name": self.first_name.strip(),
            "patronymic": self.patronymic.strip(),
            "birth_date": clock.fmt_date(self.birth_date),
            "category": self.category,
            "department_id": self.department_id,
            "assigned_staff_id": self.assigned_staff_id,
            "address": self.address.strip(),
            "remote_territory": bool(self.remote_territory),
            "ipra_number": self.ipra_number.strip(),
            "ipra_start": clock.fmt_date(self.ipra_start),
            "ipra_end": clock.fmt_date(self.ipra_end),
            "consent_date": clock.fmt_date(self.consent_date),
            "notes": self.notes,
            "phones": [format_phone(p) for p in self.phones],
            "messengers": [[ch, h] for ch, h in self.messengers],
        }


def create_client(data: ClientData, status: str = "potential", reason: str = "") -> int:
    """Add a client (audited, indexed, first status history row); returns the id."""
    access.require_department(None, data.department_id)  # access: client
    actor = session.current()
    cols = data.columns()
    if cols["department"] is None and actor is not None:
        cols["department"] = actor.department_id
    phones = list(dict.fromkeys(data.phones))
    terms = new_client_terms(cols["last_name"], cols["first_name"], cols["patronymic"], phones)
    with write_transaction(scope=[]):  # new rows of its own only: it runs beside other scoped writes
        client = store.create(m.Client, status=status, status_changed_at=clock.now(), **cols)
        prepared.insert(
            m.ClientStatusChange,
            dict(
                client=client.id,
                old_status="",
                new_status=status,
                reason=reason,
                changed_at=clock.now(),
                staff=session.actor_id(),
            ),
        )
        replace_points({"client": client.id}, phones, data.messengers, new=True)
        reindex(client.id, new_client=client, terms=terms)  # the row just written: nothing to read or delete
    return client.id


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    base: Any  # what the editor started from
    mine: Any
    theirs: Any


class ClientConflict(Exception):
    """Someone else saved the client since the form was opened."""

    def __init__(self, changes: list[FieldChange], version: int, theirs: dict[str, Any]):
        super().__init__("Карточку клиента изменил другой пользователь")
        self.changes = changes
        self.version = version  # their version: pass it back to overwrite knowingly
        self.theirs = theirs


def _norm(value: Any) -> Any:
    if isinstance(value, list):
        return [list(v) if isinstance(v, (list, tuple)) else v for v in value]
    return value


def update_client(client_id: int, expected_version: int, data: ClientData, original: dict[str, Any]) -> int:
    """Save the edited client; returns the new version.

    `original` are the form values the editor started from (ClientCard.form).
    Raises ClientConflict if someone saved since `expected_version` (with the
    fields they changed next to ours), ClientGone if the client was deleted.
    """
    access.require_client_id(None, client_id)  # access: client
    actor = session.current()
    with write_transaction():
        client = load_client(client_id, actor)
        if client.version != expected_version:
            theirs = form_values(summary_of(client), client)
            mine = data.form()
            changes = [
                FieldChange(k, FIELD_LABELS.get(k, k), _norm(original.get(k)), _norm(mine.get(k)), _norm(theirs.get(k)))
                for k in theirs
                if _norm(original.get(k)) != _norm(theirs.get(k))
            ]
            raise ClientConflict(changes, client.version, theirs)
        cols = data.columns()
        before = form_values(summary_of(client), client)
        updated = store.update_versioned(m.Client, client_id, expected_version, cols)
        after = data.form()
        if before["phones"] != after["phones"] or _norm(before["messengers"]) != _norm(after["messengers"]):
            replace_points({"client": client_id}, data.phones, data.messengers)
            store.audit(
                "update",
                "client",
                client_id,
                {
                    "phones": [before["phones"], after["phones"]],
                    "messengers": [before["messengers"], after["messengers"]],
                },
            )
        reindex(client_id)
        return updated.version


def delete_client(client_id: int) -> None:
    access.require_client_id(None, client_id)  # access: client
    with write_transaction():
        client = m.Client.get_or_none(m.Client.id == client_id)
        if client is None:
            raise ClientGone()
        store.delete(m.Client, client_id)
