"""Planning visits (SOP 04): checking a plan, saving it, rescheduling, cancelling, and free slots."""

from __future__ import annotations

import datetime as dt

from soptui.core import clock
from soptui.core.text import full_name
from soptui.db import models as m
from soptui.db import store
from soptui.db.connection import write_transaction
from soptui.domain import patronage, workdays
from soptui.domain.labels import GROUNDS, VISIT_KINDS, VISIT_STATUSES
from soptui.services import access
from soptui.services.patronage._common import VisitError, visit_cards, visit_query, work_hours
from soptui.services.patronage.reading import PlanCheck, VisitPlan, visiting_staff


def _planned_start(plan: VisitPlan) -> dt.datetime | None:
    if plan.day is None or plan.start is None:
        return None
    return dt.datetime.combine(plan.day, plan.start)


def _busy_of(staff_ids: list[int], day: dt.date, exclude: int | None) -> list[patronage.Occupancy]:
    lo = dt.datetime.combine(day, dt.time())
    hi = lo + dt.timedelta(days=1)
    linked = m.VisitStaff.select(m.VisitStaff.visit).where(m.VisitStaff.staff.in_(staff_ids or [0]))
    query = visit_query().where(
        (m.PatronageVisit.planned_start >= lo)
        & (m.PatronageVisit.planned_start < hi)
        & m.PatronageVisit.status.in_(["planned", "draft", "done"])
        & m.PatronageVisit.id.in_(linked)
    )
    if exclude is not None:
        query = query.where(m.PatronageVisit.id != exclude)
    return [c.occupancy for c in visit_cards(query)]


def check_plan(plan: VisitPlan, visit_id: int | None = None, today: dt.date | None = None) -> PlanCheck:
    """Field errors (which block saving), conflicts (warnings) and the deadline check."""
    access.require_client_id(None, plan.client_id)  # access: client
    today = today or clock.today()
    errors: dict[str, str] = {}
    if not plan.staff_ids:
        errors["staff"] = "Выберите хотя бы одного сотрудника, который пойдёт в семью."
    if plan.day is None:
        errors.setdefault("day", "Укажите дату визита.")
    if plan.start is None:
        errors.setdefault("start", "Укажите время начала.")
    if plan.end is None:
        errors.setdefault("end", "Укажите время окончания работы с семьёй.")
    if plan.start and plan.end and plan.end <= plan.start:
        errors["end"] = "Окончание раньше начала (или совпадает с ним): проверьте время."
    if plan.ground not in GROUNDS:
        errors["ground"] = "Выберите основание патронажа (СОП 04, п. 5)."
    if plan.kind not in VISIT_KINDS:
        errors["kind"] = "Выберите вид патронажа."
    if not 0 <= plan.prep_minutes <= 240:
        errors["prep"] = "Подготовка и дорога: от 0 до 240 минут (норма до 60)."
    if not 0 <= plan.completion_minutes <= 120:
        errors["completion"] = "Завершение: от 0 до 120 минут (норма до 10)."
    if not plan.address.strip():
        errors["address"] = "Укажите адрес семьи."
    if plan.kind == "planned" and not plan.purpose.strip():
        # SOP 04, planned (repeat) visit: «определяется цель посещения»
        errors["purpose"] = "Повторный патронаж: укажите цель посещения (СОП 04)."
    deadline = None
    conflicts: list[str] = []
    if plan.day is not None:
        if not workdays.is_working_day(plan.day):
            errors["day"] = (
                f"{plan.day:%d.%m.%Y} — нерабочий (выходной или праздничный) день "
                "по производственному календарю: выберите рабочий день."
            )
        due = None
        # SOP 04: only the primary visit answers the referral's wait; a planned (repeat) one is not judged by it
        if plan.referral_id and plan.kind == "primary":
            ref = m.Referral.get_or_none(m.Referral.id == plan.referral_id)
            due = ref.patronage_due if ref else None
            deadline = patronage.check_deadline(due, plan.day, today)
            if deadline.late and not plan.late_reason.strip():
                errors["late_reason"] = "Визит позже срока патронажа по обращению: укажите причину переноса срока."
    start = _planned_start(plan)
    if start is not None and plan.end and plan.start and plan.end > plan.start and plan.staff_ids:
        work = (dt.datetime.combine(plan.day, plan.end) - start).seconds // 60
        cand = patronage.Occupancy(
            visit_id, frozenset(plan.staff_ids), start, plan.prep_minutes, work, plan.completion_minutes
        )
        names = {s.id: s.short_name for s in visiting_staff(None, include=plan.staff_ids)}
        ws, we = work_hours()
        for c in patronage.find_conflicts(cand, _busy_of(plan.staff_ids, plan.day, visit_id), names, ws, we):
            if c.kind != "non_working_day":
                conflicts.append(c.message)
    return PlanCheck(errors, tuple(conflicts), deadline)


def save_plan(
    plan: VisitPlan,
    visit_id: int | None = None,
    expected_version: int | None = None,
    allow_conflicts: bool = False,
    confirm_draft: bool = False,
) -> int:
    """Create or change a planned visit; raises VisitError with the fields to fix.

    Conflicts (overlaps, outside working hours) are refused unless
    `allow_conflicts`: the form asks first. Confirming a call-drafted visit
    (`confirm_draft`) turns it into a planned one.
    """
    access.require_client_id(access.require_visit(None, visit_id), plan.client_id)  # access: client
    check = check_plan(plan, visit_id)
    if check.errors:
        raise VisitError(check.errors)
    if check.conflicts and not allow_conflicts:
        raise VisitError({"conflicts": " ".join(check.conflicts)})
    start = _planned_start(plan)
    work = (dt.datetime.combine(plan.day, plan.end) - start).seconds // 60
    values = dict(
        client=plan.client_id,
        kind=plan.kind,
        ground=plan.ground,
        referral=plan.referral_id,
        purpose=plan.purpose.strip(),
        planned_start=start,
        prep_minutes=plan.prep_minutes,
        work_minutes=work,
        completion_minutes=plan.completion_minutes,
        address=plan.address.strip(),
        transport_needed=plan.transport_needed,
        documents_to_prepare=plan.documents_to_prepare.strip(),
        late_reason=plan.late_reason.strip() if check.deadline and check.deadline.late else "",
    )
    with write_transaction():
        if visit_id is None:
            visit = store.create(m.PatronageVisit, status="planned", **values)
            visit_id = visit.id
        else:
            current = m.PatronageVisit.get_or_none(m.PatronageVisit.id == visit_id)
            if current is None:
                raise store.RecordGone()
            if current.status not in ("planned", "draft"):
                raise VisitError({"status": "Визит уже проведён или отменён: его нельзя перепланировать."})
            if confirm_draft or current.status == "draft":
                values["status"] = "planned"
            store.update_versioned(
                m.PatronageVisit,
                visit_id,
                expected_version if expected_version is not None else current.version,
                values,
            )
        _set_staff(visit_id, plan.staff_ids)
    return visit_id


def _set_staff(visit_id: int, staff_ids: list[int]) -> None:
    have = {l.staff_id: l.id for l in m.VisitStaff.select().where(m.VisitStaff.visit == visit_id)}
    for sid, link_id in have.items():
        if sid not in staff_ids:
            store.delete(m.VisitStaff, link_id)
    for sid in dict.fromkeys(staff_ids):
        if sid not in have:
            store.create(m.VisitStaff, visit=visit_id, staff=sid)


def plan_of(visit_id: int) -> tuple[VisitPlan, int, str, str]:
    """A visit as a plan (for editing/rescheduling): (plan, version, status, client name)."""
    access.require_visit(None, visit_id)  # access: client
    v = m.PatronageVisit.get_by_id(visit_id)
    end = (v.planned_start + dt.timedelta(minutes=v.work_minutes)).time()
    staff = [l.staff_id for l in m.VisitStaff.select().where(m.VisitStaff.visit == visit_id).order_by(m.VisitStaff.id)]
    plan = VisitPlan(
        client_id=v.client_id,
        staff_ids=staff,
        day=v.planned_start.date(),
        start=v.planned_start.time(),
        end=end,
        kind=v.kind,
        ground=v.ground,
        referral_id=v.referral_id,
        purpose=v.purpose,
        prep_minutes=v.prep_minutes,
        completion_minutes=v.completion_minutes,
        address=v.address,
        transport_needed=v.transport_needed,
        documents_to_prepare=v.documents_to_prepare,
        late_reason=v.late_reason,
    )
    c = v.client
    return plan, v.version, v.status, full_name(c.last_name, c.first_name, c.patronymic)


def reschedule(visit_id: int, new_start: dt.datetime, late_reason: str = "", allow_conflicts: bool = False) -> None:
    """Move a planned visit to another date/time, keeping its length, staff and everything else."""
    access.require_visit(None, visit_id)  # access: client
    plan, version, _status, _ = plan_of(visit_id)
    length = dt.datetime.combine(plan.day, plan.end) - dt.datetime.combine(plan.day, plan.start)
    plan.day = new_start.date()
    plan.start = new_start.time()
    plan.end = (new_start + length).time()
    if late_reason:
        plan.late_reason = late_reason
    save_plan(plan, visit_id, version, allow_conflicts=allow_conflicts)


def set_status(visit_id: int, status: str, reason: str) -> None:
    """Cancel a visit or record that the family did not let the staff in; a reason is required."""
    access.require_visit(None, visit_id)  # access: client
    if status not in ("cancelled", "not_let_in"):
        raise ValueError(status)
    if not reason.strip():
        raise VisitError({"reason": "Укажите причину."})
    with write_transaction():
        v = m.PatronageVisit.get_or_none(m.PatronageVisit.id == visit_id)
        if v is None:
            raise store.RecordGone()
        if v.status not in ("planned", "draft"):
            raise VisitError({"reason": f"Визит уже {VISIT_STATUSES.get(v.status, v.status).lower()}."})
        store.update_versioned(
            m.PatronageVisit, visit_id, v.version, {"status": status, "status_reason": reason.strip()}
        )


def free_start(staff_id: int, day: dt.date) -> dt.datetime | None:
    """The first free arrival time of staff_id on day (for «n» in the planner)."""
    ws, we = work_hours()
    not_before = clock.now() if day == clock.today() else None
    return patronage.first_free_start(
        day, _busy_of([staff_id], day, None), staff_id, not_before=not_before, work_start=ws, work_end=we
    )


def first_free_slot(staff_id: int, start: dt.date, working_days: int = 10) -> dt.datetime | None:
    """The first free arrival time of staff_id on a working day from `start` on."""
    day = start if workdays.is_working_day(start) else workdays.next_working_day(start)
    for _ in range(working_days):
        found = free_start(staff_id, day)
        if found:
            return found
        day = workdays.next_working_day(day)
    return None
