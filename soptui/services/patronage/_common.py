"""What every patronage module shares: the area's error, the visit card and building cards from queries.

The card is read by the planner, Today, the schedule and the conflict checks, so it lives here, below them all.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import peewee as pw

from soptui.core import clock
from soptui.core.text import full_name, short_name
from soptui.db import models as m
from soptui.domain import patronage
from soptui.domain.labels import VISIT_KINDS
from soptui.services import institution

SERVICE_KIND = "Социальный патронаж"


def service_kind_of(kind: str) -> str:
    """The service log's words for a visit of this kind: «Социальный патронаж (плановый, повторный)» (the
    kind's own brackets folded in: «(плановый (повторный))» was printed before)."""
    words = VISIT_KINDS.get(kind, kind).replace(" (", ", ").replace(")", "")
    return f"{SERVICE_KIND} ({words})"


class VisitError(Exception):
    """Bad input for a visit: `errors` maps a form field to a Russian message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class VisitCard:
    """A visit as the planner, Today and the schedule show it."""

    id: int
    version: int
    client_id: int
    client_name: str  # Фамилия И. О.
    client_full_name: str
    kind: str
    status: str
    start: dt.datetime
    prep_minutes: int
    work_minutes: int
    completion_minutes: int
    address: str
    transport_needed: bool
    staff_ids: tuple[int, ...]
    staff_names: tuple[str, ...]
    ground: str
    purpose: str
    drafted_by_call: bool
    documents_to_prepare: str
    has_completed_act: bool
    conflicts: tuple[str, ...] = ()

    @property
    def occupancy(self) -> patronage.Occupancy:
        return patronage.Occupancy(
            self.id,
            frozenset(self.staff_ids),
            self.start,
            self.prep_minutes,
            self.work_minutes,
            self.completion_minutes,
            self.client_name,
        )

    @property
    def busy_from(self) -> dt.datetime:
        return self.occupancy.busy_from

    @property
    def busy_to(self) -> dt.datetime:
        return self.occupancy.busy_to


def visit_cards(query: pw.ModelSelect) -> list[VisitCard]:
    """Visit cards from a PatronageVisit ⋈ Client query, read as tuples (the planner reads hundreds)."""
    V, C = m.PatronageVisit, m.Client
    rows = list(
        query.select(
            V.id,
            V.version,
            V.client,
            C.last_name,
            C.first_name,
            C.patronymic,
            V.kind,
            V.status,
            V.planned_start,
            V.prep_minutes,
            V.work_minutes,
            V.completion_minutes,
            V.address,
            V.transport_needed,
            V.ground,
            V.purpose,
            V.drafted_by_call,
            V.documents_to_prepare,
        ).tuples()
    )
    if not rows:
        return []
    # a sub-select rather than hundreds of bound ids: far cheaper to build and run
    ids = [r[0] for r in rows] if len(rows) <= 20 else query.select(V.id)
    links: dict[int, list[tuple[int, str]]] = {}
    for visit_id, sid, last, first, patr in (
        m.VisitStaff.select(m.VisitStaff.visit, m.Staff.id, m.Staff.last_name, m.Staff.first_name, m.Staff.patronymic)
        .join(m.Staff)
        .where(m.VisitStaff.visit.in_(ids))
        .order_by(m.VisitStaff.id)
        .tuples()
    ):
        links.setdefault(visit_id, []).append((sid, short_name(last, first, patr)))
    acted = {
        a
        for (a,) in m.VisitAct.select(m.VisitAct.visit)
        .where(m.VisitAct.visit.in_(ids) & (m.VisitAct.is_draft == False))
        .tuples()
    }  # noqa: E712
    return [_card_from_row(r, links, acted) for r in rows]


_CARD_COLUMNS = (
    "v.id, v.version, v.client_id, c.last_name, c.first_name, c.patronymic, v.kind, v.status, "
    "v.planned_start, v.prep_minutes, v.work_minutes, v.completion_minutes, v.address, "
    "v.transport_needed, v.ground, v.purpose, v.drafted_by_call_id, v.documents_to_prepare"
)


def _as_datetime(value: Any) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def week_cards(lo: dt.datetime, hi: dt.datetime, staff_ids: list[int]) -> list[VisitCard]:
    """The planner's hot path: a week of visits of the given staff in three plain SQL statements.

    Built by hand because peewee spends more time composing the nested queries
    (and converting 300 rows) than SQLite spends running them.
    """
    if not staff_ids:
        return []
    database = m.PatronageVisit._meta.database
    p = database.param
    marks = ", ".join([p] * len(staff_ids))
    scope = (
        f"FROM patronage_visit v JOIN client c ON c.id = v.client_id "
        f"WHERE v.planned_start >= {p} AND v.planned_start < {p} "
        f"AND v.id IN (SELECT visit_id FROM visit_staff WHERE staff_id IN ({marks}))"
    )
    params = [lo, hi, *staff_ids]
    rows = database.execute_sql(f"SELECT {_CARD_COLUMNS} {scope} ORDER BY v.planned_start, v.id", params).fetchall()
    if not rows:
        return []
    links: dict[int, list[tuple[int, str]]] = {}
    for visit_id, sid, last, first, patr in database.execute_sql(
        "SELECT vs.visit_id, s.id, s.last_name, s.first_name, s.patronymic FROM visit_staff vs "
        f"JOIN staff s ON s.id = vs.staff_id WHERE vs.visit_id IN (SELECT v.id {scope}) ORDER BY vs.id",
        params,
    ).fetchall():
        links.setdefault(visit_id, []).append((sid, short_name(last, first, patr)))
    acted = {
        a
        for (a,) in database.execute_sql(
            f"SELECT DISTINCT visit_id FROM visit_act WHERE is_draft = {p} AND visit_id IN (SELECT v.id {scope})",
            [False, *params],
        ).fetchall()
    }
    return [_card_from_row(r, links, acted) for r in rows]


def _card_from_row(row: tuple, links: dict[int, list[tuple[int, str]]], acted: set[int]) -> VisitCard:
    (
        vid,
        version,
        client_id,
        last,
        first,
        patr,
        kind,
        status,
        start,
        prep,
        work,
        completion,
        address,
        transport,
        ground,
        purpose,
        call_id,
        documents,
    ) = row
    staff = links.get(vid, [])
    return VisitCard(
        id=vid,
        version=version,
        client_id=client_id,
        client_name=short_name(last, first, patr),
        client_full_name=full_name(last, first, patr),
        kind=kind,
        status=status,
        start=_as_datetime(start),
        prep_minutes=prep,
        work_minutes=work,
        completion_minutes=completion,
        address=address,
        transport_needed=bool(transport),
        staff_ids=tuple(s for s, _ in staff),
        staff_names=tuple(n for _, n in staff),
        ground=ground,
        purpose=purpose,
        drafted_by_call=call_id is not None,
        documents_to_prepare=documents,
        has_completed_act=vid in acted,
    )


def work_hours() -> tuple[dt.time, dt.time]:
    """The institution's working hours (the SOP 04 defaults if they are not set or unreadable)."""
    info = institution.get()
    try:
        return clock.parse_time(info.work_start), clock.parse_time(info.work_end)
    except ValueError:
        return patronage.DEFAULT_WORK_START, patronage.DEFAULT_WORK_END


def mark_conflicts(cards: list[VisitCard]) -> list[VisitCard]:
    """The cards with the overlaps and out-of-hours messages of the live visits among them."""
    start, end = work_hours()
    live = [c.occupancy for c in cards if c.status in ("planned", "draft", "done")]
    found = patronage.conflicts_by_visit(live, start, end)
    result = []
    for c in cards:
        msgs = tuple(dict.fromkeys(x.message for x in found.get(c.id, [])))
        result.append(c if not msgs else dataclasses.replace(c, conflicts=msgs))
    return result


def visit_query() -> pw.ModelSelect:
    """Visits joined with their client: what `visit_cards` reads."""
    return m.PatronageVisit.select(m.PatronageVisit, m.Client).join(m.Client)


def load_data(text: str) -> dict[str, Any]:
    """A stored JSON object (an act's fields); anything else reads as empty."""
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def load_list(text: str) -> tuple[str, ...]:
    """A stored JSON list (methods, problem areas); anything else reads as empty."""
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else ()
