"""The global audit log (152-FZ: who viewed or changed whose record), for heads and administrators.

A specialist never sees it (AccessDenied). Printouts of personal data are audited here too.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from peewee import JOIN

from soptui.core import session
from soptui.core.text import full_name, short_name
from soptui.db import models as m
from soptui.db import store
from soptui.domain.journal_labels import ACTION_LABELS, TABLE_LABELS, details_in_words
from soptui.domain.period import day_bounds, validate_period
from soptui.services.errors import AccessDenied
from soptui.services.journal.common import MAX_LIMIT, PAGE_SIZE, actor_or_current
from soptui.services.staff import is_head


@dataclass(frozen=True)
class AuditFilters:
    start: dt.date
    end: dt.date
    staff_id: int | None = None
    action: str | None = None


@dataclass(frozen=True)
class AuditLine:
    id: int
    at: dt.datetime
    staff: str
    action: str
    what: str  # «карточка клиента № 12»
    whose: str  # the client the record belongs to, when it has one
    details: str  # changed fields


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditLine]
    offset: int
    limit: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.rows) < self.total


_MODELS_BY_TABLE = {model._meta.table_name: model for model in m.ALL_MODELS}
_HIDDEN_FIELDS = frozenset({"password_hash", "name_key", "version", "updated_at", "created_at", "state_json"})


def _require_head(actor: session.Actor | None) -> None:
    if actor is not None and not is_head(actor):
        raise AccessDenied("Журнал действий доступен заведующим и администраторам.")


def _scope(actor: session.Actor | None):
    """The rows a head of department may read (152-FZ: their own department's, not the whole centre's), as a
    condition on AuditLog; None for those who see every department (the head of the centre, administrators).

    A row about a client's record (the client card, or a record carrying its client) is theirs when the client is
    their department's or not yet routed to one (open to all staff for intake); any other row (a sign-in, an act,
    a club) when it was done by a member of their department. So another department's clients are never named
    here, and an outsider's look at their own department's client is.
    """
    if actor is None or actor.sees_all_departments or not actor.works_with_clients:
        return None
    A, C = m.AuditLog, m.Client
    mine = (C.department == actor.department_id) | C.department.is_null()
    client_tables = [C._meta.table_name]
    cond = (A.table == C._meta.table_name) & A.record_id.in_(C.select(C.id).where(mine))
    for model in m.ALL_MODELS:
        if "client" in model._meta.fields:
            client_tables.append(model._meta.table_name)
            ids = model.select(model.id).join(C, on=(model.client == C.id)).where(mine)
            cond |= (A.table == model._meta.table_name) & A.record_id.in_(ids)
    colleagues = m.Staff.select(m.Staff.id).where(m.Staff.department == actor.department_id)
    return cond | (A.table.not_in(client_tables) & A.staff.in_(colleagues))


def _whose(lines: list[tuple[int, str, int | None]]) -> dict[tuple[str, int], str]:
    """(table, record id) -> client's full name, for records of a client (batched per table)."""
    wanted: dict[str, set[int]] = {}
    for _id, table, record_id in lines:
        if record_id is not None:
            wanted.setdefault(table, set()).add(record_id)
    result: dict[tuple[str, int], str] = {}
    C = m.Client
    for table, ids in wanted.items():
        model = _MODELS_BY_TABLE.get(table)
        if model is None:
            continue
        if model is m.Client:
            q = C.select(C.id, C.last_name, C.first_name, C.patronymic).where(C.id.in_(list(ids)))
            for cid, last, first, patr in q.tuples():
                result[(table, cid)] = full_name(last, first, patr)
        elif "client" in model._meta.fields:
            q = (
                model.select(model.id, C.last_name, C.first_name, C.patronymic)
                .join(C, on=(model.client == C.id))
                .where(model.id.in_(list(ids)))
            )
            for rid, last, first, patr in q.tuples():
                result[(table, rid)] = full_name(last, first, patr)
        elif model is m.Staff:
            q = m.Staff.select(m.Staff.id, m.Staff.last_name, m.Staff.first_name, m.Staff.patronymic)
            for sid, last, first, patr in q.where(m.Staff.id.in_(list(ids))).tuples():
                result[(table, sid)] = short_name(last, first, patr)
    return result


def _details(action: str, changes: str) -> str:
    if not changes or action not in ("update", "notice_state", "export", "print", "cli"):
        return ""
    try:
        data = json.loads(changes)
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    return details_in_words(action, data, _HIDDEN_FIELDS)[:160]


def audit_page(
    filters: AuditFilters, offset: int = 0, limit: int = PAGE_SIZE, actor: session.Actor | None = None
) -> AuditPage:
    """One page of the audit log, newest first; AccessDenied for specialists."""
    actor = actor_or_current(actor)
    _require_head(actor)
    validate_period(filters.start, filters.end)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    A = m.AuditLog
    lo, hi = day_bounds(filters.start, filters.end)
    cond = (A.at >= lo) & (A.at < hi)
    if filters.staff_id is not None:
        cond &= A.staff == filters.staff_id
    if filters.action:
        cond &= A.action == filters.action
    scope = _scope(actor)
    if scope is not None:
        cond &= scope
    total = A.select().where(cond).count()
    S = m.Staff
    q = (
        A.select(A.id, A.at, A.action, A.table, A.record_id, A.changes, S.last_name, S.first_name, S.patronymic)
        .join(S, JOIN.LEFT_OUTER, on=(A.staff == S.id))
        .where(cond)
        .order_by(A.at.desc(), A.id.desc())
        .limit(limit)
        .offset(offset)
    )
    raw = list(q.tuples())
    whose = _whose([(r[0], r[3], r[4]) for r in raw])
    rows = []
    for aid, at, action, table, record_id, changes, last, first, patr in raw:
        what = TABLE_LABELS.get(table, table or "")
        if record_id is not None:
            what += f" № {record_id}"
        rows.append(
            AuditLine(
                aid,
                at,
                short_name(last, first, patr) if last else "—",
                ACTION_LABELS.get(action, action),
                what.strip(),
                whose.get((table, record_id), "") if record_id is not None else "",
                _details(action, changes),
            )
        )
    return AuditPage(rows, offset, limit, total)


def record_print(kind: str, details: dict[str, Any]) -> None:
    """Audit a printout of personal data (152-FZ): what was printed, for which period."""
    store.audit("print", kind, None, details)
