"""Staff as the forms and lists need them: one option type, one list builder, one name lookup.

Every area used to build its own staff list and name cache; they all come from here now.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from soptui.core.session import Actor
from soptui.core.text import full_name, short_name
from soptui.db import models as m
from soptui.domain.labels import POSITIONS


@dataclass(frozen=True)
class Choice:
    """One entry of a drop-down or filter: what is stored and what is shown."""

    id: Any
    label: str
    department_id: int | None = None


@dataclass(frozen=True)
class StaffOption:
    """A member of staff offered in a form (performer, leader, visitor)."""

    id: int
    short_name: str
    full_name: str
    position: str
    position_label: str
    department_id: int | None

    @property
    def name(self) -> str:
        return self.short_name


def _option(s: m.Staff) -> StaffOption:
    return StaffOption(
        s.id,
        short_name(s.last_name, s.first_name, s.patronymic),
        full_name(s.last_name, s.first_name, s.patronymic),
        s.position,
        POSITIONS.get(s.position, s.position),
        s.department_id,
    )


def staff_options(
    department_id: int | None = None,
    positions: Sequence[str] | None = None,
    include: Iterable[int] = (),
    with_unassigned: bool = False,
) -> list[StaffOption]:
    """Active staff, optionally of one department (plus those with no department) and of some positions.

    `include` adds the given people even if inactive or elsewhere, so a form keeps showing who is stored.
    """
    query = m.Staff.select().where(m.Staff.active == True)  # noqa: E712
    if positions is not None:
        query = query.where(m.Staff.position.in_(list(positions)))
    if department_id is not None:
        here = m.Staff.department == department_id
        query = query.where(here | m.Staff.department.is_null() if with_unassigned else here)
    rows = list(query.order_by(m.Staff.last_name, m.Staff.first_name))
    have = {s.id for s in rows}
    missing = [i for i in include if i and i not in have]
    if missing:
        rows += list(m.Staff.select().where(m.Staff.id.in_(missing)))
    return [_option(s) for s in rows]


def staff_choices(department_id: int | None = None) -> list[Choice]:
    """Active staff for a filter: short names, those of the department and those with none."""
    return [
        Choice(o.id, o.short_name, o.department_id)
        for o in staff_options(department_id, with_unassigned=department_id is not None)
    ]


def departments() -> list[Choice]:
    """Departments by name; `department_id` of each choice is its own id."""
    return [Choice(d.id, d.short_name or d.name, d.id) for d in m.Department.select().order_by(m.Department.name)]


class Names:
    """Staff names looked up once per request (lists and reports name many rows by the same few people)."""

    def __init__(self) -> None:
        self._rows: dict[int, m.Staff | None] = {}

    def _get(self, staff_id: int | None) -> m.Staff | None:
        if not staff_id:
            return None
        if staff_id not in self._rows:
            self._rows[staff_id] = m.Staff.get_or_none(m.Staff.id == staff_id)
        return self._rows[staff_id]

    def short(self, staff_id: int | None) -> str:
        s = self._get(staff_id)
        return short_name(s.last_name, s.first_name, s.patronymic) if s else ""

    def full(self, staff_id: int | None) -> str:
        s = self._get(staff_id)
        return full_name(s.last_name, s.first_name, s.patronymic) if s else ""


def is_head(actor: Actor | None) -> bool:
    """Heads of department (and administrators acting as such) see and approve more: the one test of it."""
    return actor is not None and actor.is_head


def staff_is_head(staff_id: int | None) -> bool:
    """Whether a stored member of staff has the head role (for overrides approved by someone else)."""
    s = m.Staff.get_or_none(m.Staff.id == staff_id) if staff_id else None
    return bool(s and s.active and s.role in ("head", "admin"))
