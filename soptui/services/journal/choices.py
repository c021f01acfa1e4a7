"""What the Журнал's filters offer: departments, staff, SOPs and audit actions the actor may pick."""

from __future__ import annotations

from dataclasses import dataclass

from soptui.core import session
from soptui.core.text import short_name
from soptui.db import models as m
from soptui.domain.journal_labels import ACTION_LABELS
from soptui.domain.labels import SOPS
from soptui.services.journal.common import actor_or_current
from soptui.services.staff import Choice


@dataclass(frozen=True)
class FilterChoices:
    departments: list[Choice]
    staff: list[Choice]
    sops: list[Choice]
    actions: list[Choice]
    default_staff_id: int | None  # a specialist starts with their own services


def filter_choices(actor: session.Actor | None = None) -> FilterChoices:
    """Departments and staff the actor may filter by (a specialist: their department only)."""
    actor = actor_or_current(actor)
    deps = m.Department.select().order_by(m.Department.name)
    staff = m.Staff.select().order_by(m.Staff.last_name, m.Staff.first_name)
    restricted = actor is not None and not actor.sees_all_departments
    if restricted:
        deps = deps.where(m.Department.id == (actor.department_id or 0))
        staff = staff.where(
            (m.Staff.department == actor.department_id) | (m.Staff.id == actor.id)
            if actor.department_id
            else (m.Staff.id == actor.id)
        )
    return FilterChoices(
        departments=[Choice(d.id, d.name) for d in deps],
        staff=[
            Choice(s.id, short_name(s.last_name, s.first_name, s.patronymic) + ("" if s.active else " (уволен)"))
            for s in staff
        ],
        sops=[Choice(code, f"СОП {code}") for code in SOPS],
        actions=[Choice(code, label) for code, label in ACTION_LABELS.items()],
        # a specialist starts on their own entries; a head on the whole department (or centre)
        default_staff_id=actor.id if restricted and not actor.is_head else None,
    )
