"""A client's legal representatives and relatives/friends: add, edit, compare two readings, delete."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from soptui.core import session
from soptui.db import models as m
from soptui.db import store
from soptui.db.connection import write_transaction
from soptui.services import access
from soptui.services.clients._common import ClientGone, load_client, replace_points
from soptui.services.clients.card import PersonInfo, people_of
from soptui.services.clients.index import reindex


@dataclass
class PersonData:
    kind: str  # representative / relative / friend
    relation: str
    last_name: str
    first_name: str
    patronymic: str = ""
    preferred_call_time: str = ""
    notes: str = ""
    phones: list[str] = field(default_factory=list)
    messengers: list[tuple[str, str]] = field(default_factory=list)


def save_person(
    client_id: int, data: PersonData, person_id: int | None = None, expected_version: int | None = None
) -> int:
    """Add or edit a representative (kind "representative") or a relative/friend; returns its id."""
    access.require_person(None, client_id, data.kind, person_id)  # access: client
    actor = session.current()
    is_rep = data.kind == "representative"
    model = m.Representative if is_rep else m.Contact
    cols: dict[str, Any] = {
        "relation": data.relation.strip(),
        "last_name": data.last_name.strip(),
        "first_name": data.first_name.strip(),
        "patronymic": data.patronymic.strip(),
        "notes": data.notes,
    }
    if is_rep:
        cols["preferred_call_time"] = data.preferred_call_time.strip()
    else:
        cols["kind"] = data.kind
    with write_transaction():
        load_client(client_id, actor)  # gone or out of reach: raises
        if person_id is None:
            person = store.create(model, client=client_id, **cols)
            person_id = person.id
        else:
            current = model.get_or_none(model.id == person_id)
            if current is None:
                raise store.RecordGone()
            store.update_versioned(
                model,
                person_id,
                expected_version if expected_version is not None else current.version,
                cols,
                original=store.row_dict(current),
            )
        replace_points({"representative" if is_rep else "contact": person_id}, data.phones, data.messengers)
        reindex(client_id)
    return person_id


def namesake(client_id: int, data: PersonData, editing: tuple[str, int] | None = None) -> PersonInfo | None:
    """A representative, relative or friend of this client already recorded under the same full name (not the
    one being edited, `editing` = (its kind, its id)): the form asks before a second record of one person is saved (a double click, a colleague
    who added her a minute ago)."""
    access.require_client_id(None, client_id)  # access: client
    key = _name_key(data.last_name, data.first_name, data.patronymic)
    if not key.strip():
        return None
    reps, contacts = people_of(client_id)
    for person in (*reps, *contacts):
        same_row = (
            editing is not None
            and person.id == editing[1]
            and (person.kind == "representative") == (editing[0] == "representative")
        )
        if not same_row and _name_key(person.last_name, person.first_name, person.patronymic) == key:
            return person
    return None


def _name_key(*parts: str) -> str:
    return " ".join(" ".join(part.split()).casefold().replace("ё", "е") for part in parts)


def get_person(client_id: int, kind: str, person_id: int) -> PersonInfo | None:
    """One representative (kind "representative") or relative/friend as stored now; None if deleted."""
    access.require_person(None, client_id, kind, person_id)  # access: client
    reps, contacts = people_of(client_id)
    pool = reps if kind == "representative" else contacts
    return next((p for p in pool if p.id == person_id), None)


PERSON_FIELDS = [
    ("relation", "Кем приходится"),
    ("last_name", "Фамилия"),
    ("first_name", "Имя"),
    ("patronymic", "Отчество"),
    ("phones", "Телефоны"),
    ("messengers", "Мессенджеры"),
    ("preferred_call_time", "Когда удобно звонить"),
    ("notes", "Примечание"),
]


def person_changes(before: PersonInfo, after: PersonInfo) -> list[tuple[str, Any, Any]]:
    """(label, before, after) of each field another user changed between two readings of a person."""
    return [
        (label, getattr(before, name), getattr(after, name))
        for name, label in PERSON_FIELDS
        if getattr(before, name) != getattr(after, name)
    ]


def delete_person(client_id: int, kind: str, person_id: int) -> None:
    access.require_person(None, client_id, kind, person_id)  # access: client
    model = m.Representative if kind == "representative" else m.Contact
    with write_transaction():
        if m.Client.get_or_none(m.Client.id == client_id) is None:
            raise ClientGone()
        store.delete(model, person_id)
        reindex(client_id)
