"""The head's audit checks beyond the counts (issue 12 point 5): each returns the records that break an
SOP rule as `Finding`s, and tallies, per specialist and month, how many records it looked at and how
many it flagged, so the report can give each specialist's share of records kept as the SOPs say.

Checks here: recommendations of an earlier visit left unchecked at the repeat visit and open
recommendations past their date (SOP 04), sessions held without a roll call, third-session overrides
and sessions without the clients' feedback (SOP 05), SOP 03 calls without the client's feedback, and
service-log entries written after the day. First contact and visits are found where the summary
counts them (audit_summary) and handed in as `first`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from peewee import JOIN, fn

from soptui.core import clock, session
from soptui.core.text import full_name
from soptui.db import models as m
from soptui.domain import workdays
from soptui.domain.period import day_bounds
from soptui.domain.service_time import NOT_DELIVERED
from soptui.services import institution
from soptui.services.journal.findings import Finding
from soptui.services.staff import Names

MAX_FINDINGS = 200  # lines kept per check (the count is always complete)

Key = tuple[int | None, tuple[int, int]]  # (staff id, (year, month))


@dataclass
class CheckResult:
    """One rule checked over the period."""

    key: str
    title: str
    sop: str
    checked: int = 0  # records the rule was applied to
    found: int = 0  # of them, breaking it (may exceed len(findings))
    findings: list[Finding] = field(default_factory=list)
    checked_by: Counter = field(default_factory=Counter)  # Key -> records looked at
    flagged_by: Counter = field(default_factory=Counter)  # Key -> records flagged

    def tally(self, staff_ids: Iterable[int | None], day: dt.date, finding: Finding | None) -> None:
        """One record looked at; `finding` when it breaks the rule. Counted for each responsible person."""
        month = (day.year, day.month)
        ids = list(staff_ids) or [None]
        self.checked += 1
        for sid in ids:
            self.checked_by[(sid, month)] += 1
        if finding is None:
            return
        self.found += 1
        for sid in ids:
            self.flagged_by[(sid, month)] += 1
        if len(self.findings) < MAX_FINDINGS:
            self.findings.append(finding)


@dataclass(frozen=True)
class ShareRow:
    """A specialist's month: records the audit looked at, how many it flagged, the share kept right."""

    staff_name: str
    month: str  # «11.2026»
    checked: int
    flagged: int

    @property
    def share(self) -> str:
        return f"{round(100 * (self.checked - self.flagged) / self.checked)} %" if self.checked else "—"


@dataclass(frozen=True)
class Scope:
    """The period and the filters of the report, with the actor's visibility."""

    start: dt.date
    end: dt.date
    department_id: int | None
    staff_id: int | None
    actor: session.Actor | None

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        return day_bounds(self.start, self.end)

    def clients(self, client_alias, staff_expr) -> Any:
        """Records of clients in the chosen department / of the chosen specialist, as the actor may see."""
        cond: Any = True
        if self.department_id is not None:
            cond &= client_alias.department == self.department_id
        if self.staff_id is not None:
            cond &= staff_expr == self.staff_id
        a = self.actor
        if a is not None and not a.sees_all_departments:
            mine = staff_expr == a.id
            cond &= ((client_alias.department == a.department_id) | mine) if a.department_id else mine
        return cond

    def visits(self, visit_field, client_alias) -> Any:
        VS = m.VisitStaff
        by = visit_field.in_(VS.select(VS.visit).where(VS.staff == self.staff_id)) if self.staff_id else None
        cond: Any = True
        if self.department_id is not None:
            cond &= client_alias.department == self.department_id
        if by is not None:
            cond &= by
        a = self.actor
        if a is not None and not a.sees_all_departments:
            mine = visit_field.in_(VS.select(VS.visit).where(VS.staff == a.id))
            cond &= ((client_alias.department == a.department_id) | mine) if a.department_id else mine
        return cond

    def clubs(self) -> Any:
        K, L = m.Club, m.ClubLeader
        cond: Any = True
        if self.department_id is not None:
            cond &= K.department == self.department_id
        if self.staff_id is not None:
            cond &= K.id.in_(L.select(L.club).where(L.staff == self.staff_id))
        a = self.actor
        if a is not None and not a.sees_all_departments:
            led = K.id.in_(L.select(L.club).where(L.staff == a.id))
            cond &= ((K.department == a.department_id) | led) if a.department_id else led
        return cond


def _short(names: Names, ids: Iterable[int | None]) -> str:
    return ", ".join(n for n in (names.short(i) for i in ids if i) if n) or "—"


def visit_staff(visit_ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for i in range(0, len(visit_ids), 500):
        VS = m.VisitStaff
        for vid, sid in VS.select(VS.visit, VS.staff).where(VS.visit.in_(visit_ids[i : i + 500])).tuples():
            out.setdefault(vid, []).append(sid)
    return out


def _club_leaders(club_ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    L = m.ClubLeader
    for i in range(0, len(club_ids), 500):
        for cid, sid in L.select(L.club, L.staff).where(L.club.in_(club_ids[i : i + 500])).tuples():
            out.setdefault(cid, []).append(sid)
    return out


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.datetime.fromisoformat(str(value)).date()


# --- SOP 04: registration of referrals and the wait until the service ---------------------------------


def referral_checks(scope: Scope, names: Names) -> list[CheckResult]:
    """Referrals received in the period: registered within their term (3 working days, or the source
    document's term), and served — a visit done or a call that reached the family — within 4 working days
    of registration (the institution's setting, 1-4; the late registration's reason is shown)."""
    wait_days = institution.get().service_wait_days
    registration = CheckResult("registration_late", "Обращение зарегистрировано позже срока", "04")
    wait = CheckResult("wait_over", f"Ожидание услуги дольше {wait_days} раб. дн. после регистрации", "04")
    R, C = m.Referral, m.Client
    lo, hi = scope.bounds
    today = clock.today()
    rows = list(
        R.select(
            R.id,
            R.client,
            R.received_at,
            R.registered_at,
            R.registration_due,
            R.source_term_due,
            R.assigned_staff,
            R.closed,
            R.registration_late_reason,
            C.last_name,
            C.first_name,
            C.patronymic,
        )
        .join(C, on=(R.client == C.id))
        .where((R.received_at >= lo) & (R.received_at < hi) & scope.clients(C, R.assigned_staff))
        .order_by(R.received_at)
        .tuples()
    )
    clients = sorted({r[1] for r in rows})
    visits: dict[int, list[dt.datetime]] = {}
    calls: dict[int, list[dt.datetime]] = {}
    V, P = m.PatronageVisit, m.PhoneCall
    for i in range(0, len(clients), 500):
        chunk = clients[i : i + 500]
        for cid, at in V.select(V.client, V.completed_at).where(V.client.in_(chunk) & (V.status == "done")).tuples():
            if at is not None:
                visits.setdefault(cid, []).append(at)
        reached = (P.state == "finished") & P.outcome.not_in(sorted(NOT_DELIVERED)) & P.started_at.is_null(False)
        for cid, at in P.select(P.client, P.started_at).where(P.client.in_(chunk) & reached).tuples():
            calls.setdefault(cid, []).append(at)
    for _rid, client_id, received, registered, reg_due, term, staff_id, closed, why, last, first, patr in rows:
        name, who, day = full_name(last, first, patr), names.short(staff_id) or "не назначен", received.date()
        due = term or reg_due
        finding = None
        if registered is None and due < today:
            finding = f"не зарегистрировано, срок {clock.fmt_date(due)}"
        elif registered is not None and registered.date() > due:
            late = workdays.working_days_between(due, registered.date())
            finding = f"зарегистрировано {clock.fmt_date(registered.date())} при сроке {clock.fmt_date(due)}"
            finding += f" (на {max(late, 1)} раб. дн. позже)" + (f": {why}" if why else "")
        if registered is not None or due < today:
            registration.tally(
                [staff_id],
                day,
                Finding(registration.key, registration.title, "04", day, name, who, finding, ("client", client_id))
                if finding
                else None,
            )
        if registered is None:
            continue
        limit = workdays.add_working_days(registered.date(), wait_days)
        served = min((t for t in visits.get(client_id, []) + calls.get(client_id, []) if t >= registered), default=None)
        if served is None and (closed or limit >= today):
            continue  # closed without service, or still within the wait
        detail = None
        if served is None:
            detail = f"услуги нет, срок ожидания истёк {clock.fmt_date(limit)}"
        elif served.date() > limit:
            detail = f"первая услуга {clock.fmt_date(served.date())} при сроке {clock.fmt_date(limit)}"
        wait.tally(
            [staff_id],
            day,
            Finding(wait.key, wait.title, "04", day, name, who, detail, ("client", client_id)) if detail else None,
        )
    return [registration, wait]


# --- SOP 04: recommendations ---------------------------------------------------------------------------


def recommendations_unchecked(scope: Scope, names: Names) -> CheckResult:
    """A repeat visit done in the period must check the recommendations written at earlier visits
    («проверка выполнения ранее данных рекомендаций»): those still unchecked are findings."""
    result = CheckResult("recommendations_unchecked", "Повторный визит без проверки прежних рекомендаций", "04")
    V, C, R = m.PatronageVisit, m.Client, m.Recommendation
    lo, hi = scope.bounds
    visits = list(
        V.select(V.id, V.client, V.completed_at, C.last_name, C.first_name, C.patronymic)
        .join(C, on=(V.client == C.id))
        .where(
            (V.status == "done")
            & (V.kind == "planned")
            & (V.completed_at >= lo)
            & (V.completed_at < hi)
            & scope.visits(V.id, C)
        )
        .order_by(V.completed_at)
        .tuples()
    )
    staff = visit_staff([v[0] for v in visits])
    # the open, unchecked recommendations of these clients with the day their visit was done: read once (a count
    # per visit made the month's report wait for hundreds of queries)
    Earlier = V.alias("earlier")
    pending: dict[int, list[tuple[int, Any]]] = {}
    clients = sorted({v[1] for v in visits})
    for start in range(0, len(clients), 500):
        for client_id, visit_id, given_at in (
            R.select(R.client, R.visit, Earlier.completed_at)
            .join(Earlier, on=(R.visit == Earlier.id))
            .where(
                R.client.in_(clients[start : start + 500])
                & Earlier.completed_at.is_null(False)
                & R.checked_visit.is_null()
                & (R.status == "open")
            )
            .tuples()
        ):
            pending.setdefault(client_id, []).append((visit_id, given_at))
    for vid, client_id, done_at, last, first, patr in visits:
        left = sum(1 for visit_id, given_at in pending.get(client_id, ()) if visit_id != vid and given_at < done_at)
        day = _as_date(done_at)
        finding = None
        if left:
            finding = Finding(
                result.key,
                result.title,
                "04",
                day,
                full_name(last, first, patr),
                _short(names, staff.get(vid, [])),
                f"не проверено рекомендаций прежних визитов: {left}",
                ("visit", vid),
            )
        result.tally(staff.get(vid, []), day, finding)
    return result


def recommendations_overdue(scope: Scope, names: Names) -> CheckResult:
    """Recommendations whose date fell in the period and has passed, still open."""
    result = CheckResult("recommendations_overdue", "Рекомендации с истёкшим сроком не выполнены", "04")
    R, V, C = m.Recommendation, m.PatronageVisit, m.Client
    today = clock.today()
    rows = list(
        R.select(R.id, R.visit, R.text, R.due_date, R.status, C.last_name, C.first_name, C.patronymic)
        .join(V, on=(R.visit == V.id))
        .switch(R)
        .join(C, on=(R.client == C.id))
        .where(
            R.due_date.is_null(False)
            & (R.due_date >= scope.start)
            & (R.due_date <= min(scope.end, today - dt.timedelta(days=1)))
            & scope.visits(V.id, C)
        )
        .order_by(R.due_date, R.id)
        .tuples()
    )
    staff = visit_staff(sorted({r[1] for r in rows}))
    for _rid, vid, text, due, status, last, first, patr in rows:
        finding = None
        if status == "open":
            finding = Finding(
                result.key,
                result.title,
                "04",
                due,
                full_name(last, first, patr),
                _short(names, staff.get(vid, [])),
                f"срок {clock.fmt_date(due)}: «{text}»",  # in full: the report a head signs wraps it
                ("visit", vid),
            )
        result.tally(staff.get(vid, []), due, finding)
    return result


# --- SOP 05: sessions ------------------------------------------------------------------------------------


def _sessions(scope: Scope) -> list[tuple]:
    G, K = m.GroupSession, m.Club
    today = clock.today()
    return list(
        G.select(G.id, G.club, G.date, G.status, G.satisfaction, K.name)
        .join(K, on=(G.club == K.id))
        .where((G.date >= scope.start) & (G.date <= min(scope.end, today)) & (G.status != "cancelled") & scope.clubs())
        .order_by(G.date, G.start_time)
        .tuples()
    )


def sessions_checks(scope: Scope, names: Names) -> list[CheckResult]:
    """Sessions of the period up to today: held without a roll call (or passed and never marked), held
    without any review (a participant's, a staff member's or a guest's, with its score) and without the one
    score entered before reviews per person (v10); and each third session in a week the head allowed."""
    no_roll = CheckResult("sessions_without_attendance", "Занятие без отметок посещения", "05")
    no_feedback = CheckResult("sessions_without_feedback", "Занятие без отзывов и оценки удовлетворённости", "05")
    overrides = CheckResult("third_session_overrides", "Третье занятие за неделю по разрешению заведующего", "05")
    sessions = _sessions(scope)
    ids = [s[0] for s in sessions]
    leaders = _club_leaders(sorted({s[1] for s in sessions}))
    A, F = m.Attendance, m.SessionFeedback
    present: Counter = Counter()
    with_feedback: set[int] = set()
    override_rows: list[tuple] = []
    C = m.Client
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        present.update(
            dict(
                A.select(A.session, fn.COUNT(A.id))
                .where(A.session.in_(chunk) & (A.present == True))  # noqa: E712
                .group_by(A.session)
                .tuples()
            )
        )
        with_feedback.update(sid for (sid,) in F.select(F.session).where(F.session.in_(chunk)).distinct().tuples())
        override_rows.extend(
            A.select(A.session, A.override_reason, A.override_by, C.last_name, C.first_name, C.patronymic)
            .join(C, on=(A.client == C.id))
            .where(A.session.in_(chunk) & (A.override_reason != ""))
            .tuples()
        )
    by_id = {s[0]: s for s in sessions}
    today = clock.today()
    for sid, club_id, day, status, satisfaction, club_name in sessions:
        who = leaders.get(club_id, [])
        if day == today and status != "held":
            continue  # today's session may still be marked today
        finding = None
        if not present.get(sid):
            finding = Finding(
                no_roll.key,
                no_roll.title,
                "05",
                day,
                club_name,
                _short(names, who),
                "занятие проведено, отметок нет" if status == "held" else "прошло, перекличка не проведена",
                ("session", sid),
            )
        no_roll.tally(who, day, finding)
        if status != "held":
            continue
        finding = None
        if satisfaction is None and sid not in with_feedback:
            finding = Finding(
                no_feedback.key,
                no_feedback.title,
                "05",
                day,
                club_name,
                _short(names, who),
                "нет ни оценки удовлетворённости, ни отзывов",
                ("session", sid),
            )
        no_feedback.tally(who, day, finding)
    for sid, reason, by, last, first, patr in override_rows:
        _sid, club_id, day, _status, _sat, club_name = by_id[sid]
        who = leaders.get(club_id, [])
        overrides.tally(
            who,
            day,
            Finding(
                overrides.key,
                overrides.title,
                "05",
                day,
                f"{full_name(last, first, patr)} ({club_name})",
                _short(names, who),
                f"разрешил(а) {names.short(by) or '—'}: {reason}",
                ("session", sid),
            ),
        )
    return [no_roll, no_feedback, overrides]


# --- SOP 03: the client's feedback on the call ------------------------------------------------------------


def calls_without_feedback(scope: Scope, names: Names) -> CheckResult:
    """SOP 03 §8 checks the work «по отзывам клиентов»: calls that reached the person and have none."""
    result = CheckResult("calls_without_feedback", "Звонок СОП 03 без отзыва клиента", "03")
    P, C = m.PhoneCall, m.Client
    lo, hi = scope.bounds
    moment = fn.COALESCE(P.ended_at, P.started_at)
    rows = (
        P.select(
            P.id,
            moment.alias("moment"),
            P.staff,
            P.feedback_score,
            P.feedback_text,
            C.last_name,
            C.first_name,
            C.patronymic,
        )
        .join(C, on=(P.client == C.id))
        .where(
            (P.sop == "03")
            & (P.state == "finished")
            & P.outcome.not_in(sorted(NOT_DELIVERED))
            & (moment >= lo)
            & (moment < hi)
            & scope.clients(C, P.staff)
        )
        .order_by(moment)
        .tuples()
    )
    for cid, when, staff_id, score, text, last, first, patr in rows:
        day = _as_date(when)
        finding = None
        if score is None and not (text or "").strip():
            finding = Finding(
                result.key,
                result.title,
                "03",
                day,
                full_name(last, first, patr),
                names.short(staff_id) or "—",
                "отзыв клиента не записан",
                ("call", cid),
            )
        result.tally([staff_id], day, finding)
    return result


# --- the service log: entries written after the day -------------------------------------------------------


def late_entries(scope: Scope, names: Names) -> CheckResult:
    """Entries of the period written after the day of the service («внесено позже»): each is shown with
    who wrote it and why; the share counts them against all entries of the specialist's month."""
    result = CheckResult("late_entries", "Запись внесена позже дня услуги", "")
    E, C = m.ServiceEntry, m.Client
    rows = (
        E.select(
            E.id,
            E.date,
            E.staff,
            E.recorded_by,
            E.recorded_at,
            E.late_reason,
            E.source_type,
            E.source_id,
            E.sop,
            E.client,
            C.last_name,
            C.first_name,
            C.patronymic,
        )
        .join(C, JOIN.INNER, on=(E.client == C.id))
        .where((E.date >= scope.start) & (E.date <= scope.end) & scope.clients(C, E.staff))
        .order_by(E.date, E.id)
        .tuples()
    )
    sessions_of: dict[int, int] = {}
    flagged = []
    for eid, day, staff_id, by, at, reason, source, source_id, sop, client_id, last, first, patr in rows:
        if not reason:
            result.tally([staff_id], day, None)
            continue
        flagged.append((eid, day, staff_id, by, at, reason, source, source_id, sop, client_id, last, first, patr))
    attendance_ids = [r[7] for r in flagged if r[6] == "attendance" and r[7]]
    if attendance_ids:
        A = m.Attendance
        sessions_of = dict(A.select(A.id, A.session).where(A.id.in_(attendance_ids)).tuples())
    for _eid, day, staff_id, by, at, reason, source, source_id, sop, client_id, last, first, patr in flagged:
        target: tuple[str, int] = ("client", client_id)
        if source in ("call", "visit") and source_id:
            target = (source, source_id)
        elif source == "attendance" and source_id in sessions_of:
            target = ("session", sessions_of[source_id])
        wrote = names.short(by) if by and by != staff_id else ""
        when = clock.fmt_date(_as_date(at)) if at else "—"
        detail = f"внесено {when}" + (f" ({wrote} за исполнителя)" if wrote else "") + f": {reason}"
        result.tally(
            [staff_id],
            day,
            Finding(
                result.key,
                result.title,
                sop or "",
                day,
                full_name(last, first, patr),
                names.short(staff_id) or "—",
                detail,
                target,
            ),
        )
    return result


# --- all of them, and the shares ---------------------------------------------------------------------------


def run_checks(scope: Scope, names: Names, first: list[CheckResult]) -> list[CheckResult]:
    """Every check in report order; `first` are those the summary already ran (first contact, visits)."""
    results = list(first)
    results.extend(referral_checks(scope, names))
    results.append(recommendations_unchecked(scope, names))
    results.append(recommendations_overdue(scope, names))
    results.extend(sessions_checks(scope, names))
    results.append(calls_without_feedback(scope, names))
    results.append(late_entries(scope, names))
    return results


def shares(results: list[CheckResult], names: Names) -> list[ShareRow]:
    """Per specialist and month: records looked at by all checks, flagged ones, the share kept right."""
    checked: Counter = Counter()
    flagged: Counter = Counter()
    for r in results:
        checked.update(r.checked_by)
        flagged.update(r.flagged_by)
    rows = [
        ShareRow(names.short(sid) or "не назначен", f"{month:02d}.{year}", n, flagged.get((sid, (year, month)), 0))
        for (sid, (year, month)), n in checked.items()
    ]
    return sorted(rows, key=lambda r: (r.staff_name, r.month[3:], r.month[:2]))
