"""Clients that look like the same person: the same name and birth date, or the same phone (any owner)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from soptui.core.phones import format_phone, national_digits
from soptui.core.text import fold, full_name
from soptui.db import models as m
from soptui.services import access
from soptui.services.clients.index import PHONE, W_CONTACT, W_OWN_PHONE, W_REPRESENTATIVE


@dataclass(frozen=True)
class Duplicate:
    id: int
    full_name: str
    birth_date: dt.date | None
    department: str
    reason: str  # "то же ФИО и дата рождения" / "тот же телефон +7 (912) ..."


def find_duplicates(
    last_name: str,
    first_name: str,
    patronymic: str,
    birth_date: dt.date | None,
    phones: list[str],
    exclude_id: int | None = None,
) -> list[Duplicate]:
    """Clients that look like the same person: same ФИО + birth date, or the same phone (any owner)."""
    access.require_staff(None)  # access: staff
    hits: dict[int, str] = {}
    key = fold(full_name(last_name.strip(), first_name.strip(), patronymic.strip()))
    if key and birth_date is not None:
        for c in m.Client.select(m.Client.id).where((m.Client.name_key == key) & (m.Client.birth_date == birth_date)):
            hits[c.id] = "то же ФИО и дата рождения"
    for phone in phones:
        d = national_digits(phone)
        if not d:
            continue
        for t in m.ClientSearchTerm.select(m.ClientSearchTerm.client, m.ClientSearchTerm.weight).where(
            (m.ClientSearchTerm.kind == PHONE) & (m.ClientSearchTerm.term == d)
        ):
            owner = {W_OWN_PHONE: "", W_REPRESENTATIVE: " (у представителя)", W_CONTACT: " (у родственника)"}.get(
                t.weight, ""
            )
            hits.setdefault(t.client_id, f"тот же телефон {format_phone(phone)}{owner}")
    hits.pop(exclude_id, None)
    if not hits:
        return []
    result = []
    for c in (
        m.Client.select(m.Client, m.Department)
        .join(m.Department, join_type=pw.JOIN.LEFT_OUTER)
        .where(m.Client.id.in_(list(hits)))
        .order_by(m.Client.name_key)
        .limit(20)
    ):
        result.append(
            Duplicate(
                c.id,
                full_name(c.last_name, c.first_name, c.patronymic),
                c.birth_date,
                c.department.short_name or c.department.name if c.department_id else "",
                hits[c.id],
            )
        )
    return result
