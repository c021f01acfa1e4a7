"""The head's audit summary: deadlines kept, documents written and services logged in a period.

Every SOP ends with "the head of department checks the records during audits": first contact within
3 working days of a referral (SOP 03), calls made (SOP 01-03), visits done and their acts (SOP 04),
group sessions held (SOP 05) and the service log totals, counted with the actor's access.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import peewee as pw
from peewee import JOIN, fn

from soptui.core import clock, session
from soptui.core.text import full_name
from soptui.db import models as m
from soptui.domain import workdays
from soptui.domain.labels import ACT_KINDS, SOPS, VISIT_KINDS
from soptui.domain.period import day_bounds, validate_period
from soptui.services import access, institution, printing
from soptui.services.journal.audit_checks import CheckResult, Scope, ShareRow, run_checks, shares, visit_staff
from soptui.services.journal.audit_log import record_print
from soptui.services.journal.common import actor_or_current, department_name, own_unless_head, signers
from soptui.services.journal.findings import Finding
from soptui.services.journal.service_log import (
    JournalFilters,
    ServiceRow,
    TotalRow,
    Totals,
    late_entries,
    totals,
    totals_by_sop,
    totals_by_staff,
)
from soptui.services.staff import Names

MAX_LIST = 200  # lines of the "late / without act" lists in the head's report


@dataclass(frozen=True)
class ReferralLine:
    """A referral whose first contact was late or is still outstanding past its deadline."""

    client_name: str
    received_at: dt.datetime
    first_contact_due: dt.date
    first_contact_at: dt.datetime | None
    staff_name: str
    state: str  # «с опозданием на 2 раб. дн.» / «просрочено, звонка нет» ...


@dataclass(frozen=True)
class VisitLine:
    client_name: str
    date: dt.date
    kind: str
    staff_names: str


@dataclass(frozen=True)
class SopCount:
    sop: str
    label: str
    count: int
    talked: int  # calls that reached the person (outcome other than no answer)
    talk_minutes: int


@dataclass(frozen=True)
class AuditSummary:
    """The head's audit of the period: deadlines kept, documents written, services logged."""

    institution: str
    start: dt.date
    end: dt.date
    today: dt.date
    department: str
    staff: str
    # SOP 03: first contact within 3 working days of the referral
    referrals_received: int
    contact_in_time: int
    contact_late: int
    open_in_time: int  # no contact yet, the deadline has not passed
    open_overdue: int  # no contact yet, the deadline has passed
    closed_without_contact: int
    late_referrals: list[ReferralLine]
    # SOP 01-03
    calls: list[SopCount]
    calls_total: int
    # SOP 04
    visits_done: int
    visits_with_act: int
    visits_without_act: int
    acts_by_kind: list[tuple[str, int]]
    visits_missing_act: list[VisitLine]  # done without an act, and planned ones whose time passed undone
    visits_not_done: int  # planned in the period, time passed, not done (so no act)
    # SOP 05
    sessions_held: int
    sessions_cancelled: int
    attendances: int
    participants: int
    # the service log
    services: Totals
    services_by_sop: list[TotalRow] = field(default_factory=list)
    services_by_staff: list[TotalRow] = field(default_factory=list)
    late_entries: list[ServiceRow] = field(default_factory=list)  # «внесено позже», with their reasons
    checks: list[CheckResult] = field(default_factory=list)  # every rule checked, with its findings
    shares: list[ShareRow] = field(default_factory=list)  # per specialist and month
    head: str = ""
    printed_at: dt.datetime | None = None

    @property
    def findings(self) -> list[Finding]:
        """Every finding in report order (each check's lines, as many as were kept)."""
        return [f for c in self.checks for f in c.findings]

    @property
    def contact_rate(self) -> str:
        """Share of referrals contacted in time among those whose outcome is known."""
        decided = self.contact_in_time + self.contact_late + self.open_overdue
        if not decided:
            return "—"
        return f"{round(100 * self.contact_in_time / decided)} %"


def _staff_department(alias, client_alias):
    return fn.COALESCE(alias.department, client_alias.department)


def _access(actor: session.Actor | None, department_expr, staff_expr) -> Any:
    """The actor's visibility as a peewee condition (None = everything)."""
    if actor is None or actor.sees_all_departments:
        return None
    if actor.department_id is None:
        return staff_expr == actor.id
    return (department_expr == actor.department_id) | (staff_expr == actor.id)


def _late_text(due: dt.date, at: dt.datetime | None, today: dt.date) -> str:
    if at is None:
        days = workdays.working_days_between(due, today)
        return f"звонка нет, просрочено на {max(days, 1)} раб. дн."
    days = workdays.working_days_between(due, at.date())
    return f"с опозданием на {max(days, 1)} раб. дн."


def audit_summary(
    start: dt.date,
    end: dt.date,
    department_id: int | None = None,
    staff_id: int | None = None,
    actor: session.Actor | None = None,
) -> AuditSummary:
    """Count what the head checks for the period [start, end] (both inclusive); a specialist gets her own."""
    access.require_staff(actor)  # access: staff; a specialist's report covers her own work only
    validate_period(start, end)
    actor = actor_or_current(actor)
    staff_id = own_unless_head(actor, staff_id, "Отчёт о работе другого сотрудника доступен заведующему.")
    today = clock.today()
    lo, hi = day_bounds(start, end)
    names = Names()

    def staff_short(sid: int | None) -> str:
        return (names.short(sid) or "—") if sid else "не назначен"

    # referrals received in the period (SOP 03 first contact, SOP 04 registration)
    R, C = m.Referral, m.Client
    S = m.Staff.alias("assignee")
    dep = _staff_department(S, C)
    cond = (R.received_at >= lo) & (R.received_at < hi)
    if department_id is not None:
        cond &= dep == department_id
    if staff_id is not None:
        cond &= R.assigned_staff == staff_id
    scope = _access(actor, dep, R.assigned_staff)
    if scope is not None:
        cond &= scope
    q = (
        R.select(
            R.received_at,
            R.first_contact_due,
            R.first_contact_at,
            R.first_contact_late,
            R.closed,
            R.assigned_staff,
            R.client,
            C.last_name,
            C.first_name,
            C.patronymic,
        )
        .join(C, on=(R.client == C.id))
        .switch(R)
        .join(S, JOIN.LEFT_OUTER, on=(R.assigned_staff == S.id))
        .where(cond)
        .order_by(R.received_at)
    )
    received = in_time = late = open_ok = open_overdue = closed = 0
    late_lines: list[ReferralLine] = []
    contact = CheckResult("first_contact_late", "Первичный контакт позже 3 рабочих дней", "03")
    for rec_at, due, at, late_flag, is_closed, assigned, client_id, last, first, patr in q.tuples():
        received += 1
        if at is not None:
            is_late = bool(late_flag) or at.date() > due
            if is_late:
                late += 1
            else:
                in_time += 1
                contact.tally([assigned], rec_at.date(), None)
                continue
        elif is_closed:
            closed += 1
            continue
        elif due >= today:
            open_ok += 1
            continue
        else:
            open_overdue += 1
        contact.tally(
            [assigned],
            rec_at.date(),
            Finding(
                contact.key,
                contact.title,
                "03",
                rec_at.date(),
                full_name(last, first, patr),
                staff_short(assigned),
                f"срок {clock.fmt_date(due)}, {_late_text(due, at, today)}",
                ("client", client_id),
            ),
        )
        if len(late_lines) < MAX_LIST:
            late_lines.append(
                ReferralLine(
                    full_name(last, first, patr), rec_at, due, at, staff_short(assigned), _late_text(due, at, today)
                )
            )

    # finished calls per SOP (SOP 01-03)
    P = m.PhoneCall
    S2, C2 = m.Staff.alias("caller"), m.Client.alias("callee")
    dep2 = _staff_department(S2, C2)
    moment = fn.COALESCE(P.ended_at, P.started_at)
    cond = (P.state == "finished") & (moment >= lo) & (moment < hi)
    if department_id is not None:
        cond &= dep2 == department_id
    if staff_id is not None:
        cond &= P.staff == staff_id
    scope = _access(actor, dep2, P.staff)
    if scope is not None:
        cond &= scope
    talked_expr = fn.SUM(pw.Case(None, [(P.outcome == "no_answer", 0)], 1))
    q = (
        P.select(P.sop, fn.COUNT(P.id), talked_expr, fn.COALESCE(fn.SUM(P.talk_seconds), 0))
        .join(C2, on=(P.client == C2.id))
        .switch(P)
        .join(S2, JOIN.LEFT_OUTER, on=(P.staff == S2.id))
        .where(cond)
        .group_by(P.sop)
        .order_by(P.sop)
    )
    found = {sop: (n, int(t or 0), int(sec or 0)) for sop, n, t, sec in q.tuples()}
    calls = [
        SopCount(sop, SOPS.get(sop, sop), *found.get(sop, (0, 0, 0))[:2], round(found.get(sop, (0, 0, 0))[2] / 60))
        for sop in sorted(set(("01", "02", "03")) | set(found))
    ]
    calls_total = sum(c.count for c in calls)

    # home visits done in the period (SOP 04) and their documents
    V, VA, VS = m.PatronageVisit, m.VisitAct, m.VisitStaff
    C3 = m.Client.alias("family")
    when = fn.COALESCE(V.completed_at, V.planned_start)
    scope = True
    if department_id is not None:
        scope &= C3.department == department_id
    if staff_id is not None:
        scope &= V.id.in_(VS.select(VS.visit).where(VS.staff == staff_id))
    if actor is not None and not actor.sees_all_departments:
        mine = V.id.in_(VS.select(VS.visit).where(VS.staff == actor.id))
        scope &= ((C3.department == actor.department_id) | mine) if actor.department_id else mine

    def visit_rows(cond, moment):
        return list(
            V.select(V.id, V.kind, moment.alias("moment"), C3.last_name, C3.first_name, C3.patronymic)
            .join(C3, on=(V.client == C3.id))
            .where(cond & scope)
            .order_by(moment)
            .tuples()
        )

    visits = visit_rows((V.status == "done") & (when >= lo) & (when < hi), when)
    # planned in the period, its time passed, never done: no act — the head must see these too
    passed = min(hi, clock.now())
    not_done = visit_rows(
        (V.status == "planned") & (V.planned_start >= lo) & (V.planned_start < passed), V.planned_start
    )
    visit_ids = [v[0] for v in visits]
    with_act: set[int] = set()
    acts_by_kind: dict[str, int] = {}
    for i in range(0, len(visit_ids), 500):
        chunk = visit_ids[i : i + 500]
        for vid, kind in VA.select(VA.visit, VA.kind).where(VA.visit.in_(chunk) & (VA.is_draft == False)).tuples():  # noqa: E712
            with_act.add(vid)
            acts_by_kind[kind] = acts_by_kind.get(kind, 0) + 1
    missing = [v for v in visits if v[0] not in with_act] + not_done
    undone = {v[0] for v in not_done}
    staff_ids = visit_staff([v[0] for v in visits + not_done])
    staff_of = {vid: [staff_short(sid) for sid in ids] for vid, ids in staff_ids.items()}
    missing_lines = [
        VisitLine(
            full_name(last, first, patr),
            _as_date(moment),
            VISIT_KINDS.get(kind, kind) + (" · не проведён" if vid in undone else ""),
            ", ".join(staff_of.get(vid, [])) or "—",
        )
        for vid, kind, moment, last, first, patr in missing[:MAX_LIST]
    ]
    no_act = CheckResult("visits_without_act", "Патронаж без акта или отчёта (в том числе не проведённый)", "04")
    for vid, kind, moment, last, first, patr in visits + not_done:
        day = _as_date(moment)
        finding = None
        if vid in undone or vid not in with_act:
            what = "не проведён, акта нет" if vid in undone else "проведён, акт не оформлен"
            finding = Finding(
                no_act.key,
                no_act.title,
                "04",
                day,
                full_name(last, first, patr),
                ", ".join(staff_of.get(vid, [])) or "—",
                f"{VISIT_KINDS.get(kind, kind)}: {what}",
                ("visit", vid),
            )
        no_act.tally(staff_ids.get(vid, []), day, finding)

    # group sessions (SOP 05)
    G, A, K, L = m.GroupSession, m.Attendance, m.Club, m.ClubLeader
    cond = (G.date >= start) & (G.date <= end)
    if department_id is not None:
        cond &= K.department == department_id
    if staff_id is not None:
        cond &= K.id.in_(L.select(L.club).where(L.staff == staff_id))
    if actor is not None and not actor.sees_all_departments:
        led = K.id.in_(L.select(L.club).where(L.staff == actor.id))
        cond &= ((K.department == actor.department_id) | led) if actor.department_id else led
    by_status = dict(
        G.select(G.status, fn.COUNT(G.id)).join(K, on=(G.club == K.id)).where(cond).group_by(G.status).tuples()
    )
    held = G.status == "held"
    att_q = (
        A.select(fn.COUNT(A.id), fn.COUNT(A.client.distinct()))
        .join(G, on=(A.session == G.id))
        .join(K, on=(G.club == K.id))
        .where(cond & held & (A.present == True))
    )  # noqa: E712
    attendances, participants = att_q.tuples().get()

    filters = JournalFilters(start, end, department_id, staff_id)
    checks = run_checks(Scope(start, end, department_id, staff_id, actor), names, [contact, no_act])
    return AuditSummary(
        institution=institution.get().full_name,
        start=start,
        end=end,
        today=today,
        department=department_name(department_id)
        or (actor.department_name if actor is not None and not actor.sees_all_departments else ""),
        staff=names.full(staff_id),
        referrals_received=received,
        contact_in_time=in_time,
        contact_late=late,
        open_in_time=open_ok,
        open_overdue=open_overdue,
        closed_without_contact=closed,
        late_referrals=late_lines,
        calls=calls,
        calls_total=calls_total,
        visits_done=len(visits),
        visits_with_act=len(with_act),
        visits_without_act=len(missing) - len(not_done),
        visits_not_done=len(not_done),
        acts_by_kind=[(ACT_KINDS.get(k, k), n) for k, n in sorted(acts_by_kind.items())],
        visits_missing_act=missing_lines,
        sessions_held=int(by_status.get("held", 0)),
        sessions_cancelled=int(by_status.get("cancelled", 0)),
        attendances=int(attendances or 0),
        participants=int(participants or 0),
        services=totals(filters, actor),
        services_by_sop=totals_by_sop(filters, actor),
        services_by_staff=totals_by_staff(filters, actor),
        late_entries=late_entries(filters, actor),
        checks=checks,
        shares=shares(checks, names),
        head=signers(department_id, None, actor)[2],
        printed_at=clock.now(),
    )


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.datetime.fromisoformat(str(value)).date()


def print_audit_report(
    start: dt.date,
    end: dt.date,
    department_id: int | None = None,
    staff_id: int | None = None,
    actor: session.Actor | None = None,
    folder: Path | None = None,
) -> Path:
    """Print the head's report for the period to PDF (the output folder, or `folder`) and audit the printout."""
    access.require_staff(actor)  # access: staff
    from soptui.forms import audit_report as form  # fpdf2 loads only when printing

    summary = audit_summary(start, end, department_id, staff_id, actor)
    path = printing.save(form, summary, folder)
    record_print("audit_report", {"start": start, "end": end})
    return path
