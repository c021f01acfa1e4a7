"""What the Журнал's parts share: page limits, who is asking, and who signs a printout."""

from __future__ import annotations

from soptui.core import session
from soptui.core.text import full_name
from soptui.db import models as m
from soptui.services import access
from soptui.services.staff import Names

PAGE_SIZE = 50
MAX_LIMIT = 500


def actor_or_current(actor: session.Actor | None) -> session.Actor | None:
    """The actor given, or the signed-in one when a caller passes none."""
    return actor if actor is not None else session.current()


def own_unless_head(actor: session.Actor | None, staff_id: int | None, refusal: str) -> int | None:
    """What names colleagues' work (the head's report, the workload): a head's choice stands, a specialist gets
    her own, and asking for another's is refused with `refusal`."""
    if actor is None or actor.is_head:
        return staff_id
    if staff_id not in (None, actor.id):
        raise access.AccessDenied(refusal)
    return actor.id


def department_name(department_id: int | None) -> str:
    if department_id is None:
        return ""
    d = m.Department.get_or_none(m.Department.id == department_id)
    return d.name if d else ""


def head_of(department_id: int | None) -> str:
    """Full name of the department's head (role head), "" when there is none."""
    if department_id is None:
        return ""
    s = (
        m.Staff.select()
        .where((m.Staff.department == department_id) & (m.Staff.role == "head") & (m.Staff.active == True))  # noqa: E712
        .order_by(m.Staff.id)
        .first()
    )
    return full_name(s.last_name, s.first_name, s.patronymic) if s else ""


def signers(department_id: int | None, staff_id: int | None, actor: session.Actor | None) -> tuple[str, str, str]:
    """(department name, specialist's full name, head's full name) for the signature lines."""
    dep = department_id
    if dep is None and actor is not None and not actor.sees_all_departments:
        dep = actor.department_id
    if dep is None and staff_id is not None:
        s = m.Staff.get_or_none(m.Staff.id == staff_id)
        dep = s.department_id if s else None
    if dep is None and actor is not None and actor.role == "head":
        dep = actor.department_id
    specialist = Names().full(staff_id)
    if not specialist and actor is not None and actor.role == "specialist":
        specialist = actor.full_name
    head = head_of(dep)
    if not head and actor is not None and actor.role == "head" and actor.department_id == dep:
        head = actor.full_name
    return department_name(dep), specialist, head
