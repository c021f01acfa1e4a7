"""The SOP 04 acts of a visit: prefill, draft and completion, and the data their PDF prints."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from soptui.core import clock
from soptui.core.text import full_name, short_name
from soptui.db import models as m
from soptui.db import store
from soptui.db.connection import write_transaction
from soptui.domain import patronage
from soptui.domain.labels import (
    ACT_KINDS,
    DIAGNOSTIC_METHODS,
    POSITIONS,
    PROBLEM_AREAS,
    RECOMMENDATION_STATUSES,
    VISIT_KINDS,
)
from soptui.services import access, institution, printing
from soptui.services.errors import ConflictError, RecordGone
from soptui.services.patronage._common import VisitError, load_data
from soptui.services.patronage.reading import ActState, get_visit

ACT_LETTERS = {"housing": "Ж", "patronage": "П", "report": "О"}  # the letter after the visit number: № 12-Ж


def act_prefill(visit_id: int, kind: str) -> dict[str, str]:
    """Fields an act can take from the visit and the client card."""
    access.require_visit(None, visit_id)  # access: client
    v = m.PatronageVisit.get_by_id(visit_id)
    c = v.client
    family = [
        f"{full_name(c.last_name, c.first_name, c.patronymic)}"
        f"{', ' + format(c.birth_date, '%Y') + ' г. р.' if c.birth_date else ''}"
    ]
    family += [
        f"{r.relation}: {full_name(r.last_name, r.first_name, r.patronymic)}"
        for r in m.Representative.select().where(m.Representative.client == c.id)
    ]
    data: dict[str, str] = {}
    if kind == "housing":
        parents = [
            f"{r.relation}: {full_name(r.last_name, r.first_name, r.patronymic)}"
            for r in m.Representative.select().where(m.Representative.client == c.id)
        ]
        data = {
            "child_name": full_name(c.last_name, c.first_name, c.patronymic),
            "child_birth": clock.fmt_date(c.birth_date),
            "registered_address": c.address,
            "address": v.address or c.address,
            "parents": "\n".join(parents),
            "family": "\n".join(family),
        }
    elif kind == "patronage":
        data = {"family": "\n".join(family)}
    elif kind == "report":
        data = {"goal": v.purpose, "effectiveness": v.effectiveness}
    return data


def load_act(visit_id: int, kind: str) -> ActState:
    """The stored act of that kind, or a new draft prefilled from the visit."""
    access.require_visit(None, visit_id)  # access: client
    if kind not in ACT_KINDS:
        raise ValueError(kind)
    a = m.VisitAct.get_or_none((m.VisitAct.visit == visit_id) & (m.VisitAct.kind == kind))
    if a is None:
        return ActState(None, kind, act_prefill(visit_id, kind), True, None)
    return ActState(a.id, kind, load_data(a.data), a.is_draft, a.completed_at, a.version)


def save_act_draft(visit_id: int, kind: str, data: dict[str, Any]) -> int:
    """Keep the act as typed (a draft); called as the user types, so not audited field by field."""
    access.require_visit(None, visit_id)  # access: client
    return _write_act(visit_id, kind, data, None, draft=True)[0]


def save_act_draft_checked(visit_id: int, kind: str, data: dict[str, Any], version: int | None) -> int:
    """The act form's draft write: refused with ConflictError when someone saved the act since `version`
    (None: the form started from no act). Returns the act's new version."""
    access.require_visit(None, visit_id)  # access: client
    return _write_act(visit_id, kind, data, version, draft=True)[1]


def complete_act(visit_id: int, kind: str, data: dict[str, Any], version: int | None = None) -> int:
    """Finish the act: every required field filled, else VisitError naming the fields. With `version`,
    a colleague's save since then raises ConflictError instead of being overwritten."""
    access.require_visit(None, visit_id)  # access: client
    missing = patronage.act_missing(kind, data)
    if missing:
        raise VisitError({f.key: f"Заполните поле «{f.label}»." for f in missing})
    return _write_act(visit_id, kind, data, version, draft=False)[0]


def _write_act(visit_id: int, kind: str, data: dict[str, Any], version: int | None, draft: bool) -> tuple[int, int]:
    """Write the act (draft or finished) under the version check; (act id, new version). Callers check access."""
    text = json.dumps(data, ensure_ascii=False)
    finished = {} if draft else {"is_draft": False, "completed_at": clock.now()}
    state = {"is_draft": True} if draft else finished
    with write_transaction():
        a = m.VisitAct.get_or_none((m.VisitAct.visit == visit_id) & (m.VisitAct.kind == kind))
        if a is None:
            if version is not None:
                raise RecordGone()
            a = store.create(m.VisitAct, visit=visit_id, kind=kind, data=text, **state)
            return a.id, a.version
        if draft and not a.is_draft:
            if version is not None and version != a.version:
                raise ConflictError(store.row_dict(a), {})
            return a.id, a.version  # a finished act changes only through complete_act: a late draft write must not
        checked = a.version if version is None else version
        updated = store.update_versioned(m.VisitAct, a.id, checked, {"data": text, **finished}, audit_it=not draft)
        return a.id, updated.version


@dataclass(frozen=True)
class ActDocument:
    """Everything an act's PDF prints (built here so the form module never queries)."""

    kind: str
    title: str
    institution: str
    number: str
    visit_lines: tuple[tuple[str, str], ...]
    sections: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
    methods: tuple[str, ...]
    problem_areas: tuple[str, ...]
    findings: str
    rights_explained: str
    effectiveness: str
    recommendations: tuple[tuple[str, str, str], ...]  # text, for whom, due
    earlier: tuple[tuple[str, str, str, str], ...]  # given on, text, status, comment
    signers: tuple[tuple[str, str], ...]
    is_draft: bool
    client_name: str  # Фамилия И. О., for the file name
    visit_date: dt.date
    # the official form's header: when, where, who (members with positions), and who acknowledges the act
    time_text: str = ""  # «с 10:00 до 10:40»
    place: str = ""
    members: tuple[tuple[str, str], ...] = ()  # full name, position
    acknowledging: tuple[tuple[str, str], ...] = ()  # the legal representatives: («мать», «Петрова А.И.»)
    signed_on: dt.date | None = None  # the day the act was completed (None: a draft, the date left to fill in)
    # the visit is done, so its recommendations are all written: none then means none were given (an act printed
    # before that gets lines to write them in by hand, not a statement that there were none)
    visit_done: bool = True


def act_document(visit_id: int, kind: str) -> ActDocument:
    """What the act's PDF prints and its file is named by, read from the visit, the act and the staff."""
    access.require_visit(None, visit_id)  # access: client
    detail = get_visit(visit_id)
    act = load_act(visit_id, kind)
    card = detail.card
    inst = institution.get()
    staff = list(m.Staff.select().where(m.Staff.id.in_(list(card.staff_ids) or [0])))
    staff.sort(key=lambda s: card.staff_ids.index(s.id))
    members = tuple(
        (full_name(s.last_name, s.first_name, s.patronymic), POSITIONS.get(s.position, s.position)) for s in staff
    )
    visit_lines = (
        ("Получатель социальных услуг", card.client_full_name),
        ("Вид патронажа", VISIT_KINDS.get(card.kind, card.kind)),
        ("Основание", detail.ground_label),
        ("Цель посещения", card.purpose),
    )
    if kind == "housing":  # the child is the act's own first section
        visit_lines = visit_lines[1:]
    sections = tuple(
        (section.title, tuple((f.label, str(act.data.get(f.key, "") or "")) for f in section.fields))
        for section in patronage.ACT_SECTIONS[kind]
    )
    signers = [
        (POSITIONS.get(s.position, s.position).capitalize(), short_name(s.last_name, s.first_name, s.patronymic))
        for s in staff
    ]
    work_seconds = detail.actual_work_seconds if card.status == "done" else card.work_minutes * 60
    end = card.start + dt.timedelta(seconds=work_seconds)
    earlier, effectiveness = _checks_of(visit_id, detail)
    methods, areas, findings, rights = detail.methods, detail.problem_areas, detail.findings, detail.rights_explained
    recommendations = tuple((r.text, r.for_whom, clock.fmt_date(r.due_date)) for r in detail.recommendations)
    if card.status == "planned":  # during the visit: what has been typed so far (the visit's progress)
        methods, areas, findings, rights, recommendations = _outcome_so_far(visit_id)
    return ActDocument(
        kind=kind,
        title=patronage.ACT_OFFICIAL_TITLES.get(kind, ACT_KINDS[kind]),
        institution=inst.full_name,
        number=f"№ {visit_id}-{ACT_LETTERS[kind]}",
        visit_lines=visit_lines,
        sections=sections,
        methods=tuple(DIAGNOSTIC_METHODS.get(x, x) for x in methods),
        problem_areas=tuple(PROBLEM_AREAS.get(x, x) for x in areas),
        findings=findings,
        rights_explained=rights,
        effectiveness=effectiveness,
        recommendations=recommendations,
        earlier=earlier,
        signers=tuple(signers),
        is_draft=act.is_draft,
        client_name=card.client_name,
        visit_date=card.start.date(),
        time_text=f"с {card.start:%H:%M} до {end:%H:%M}",
        place=str(act.data.get("address") or "") or card.address,
        members=members,
        acknowledging=tuple(
            (r.relation, short_name(r.last_name, r.first_name, r.patronymic))
            for r in m.Representative.select().where(m.Representative.client == card.client_id)
        ),
        signed_on=act.completed_at.date() if act.completed_at and not act.is_draft else None,
        visit_done=card.status == "done",
    )


def _outcome_so_far(visit_id: int) -> tuple[list[str], list[str], str, str, tuple[tuple[str, str, str], ...]]:
    """Methods, problem areas, findings, rights explained and recommendations as typed so far in a visit being
    done (its progress draft): an act printed at the family's home carries them, and nothing more is claimed."""
    from soptui.services.patronage.doing import load_progress

    progress = load_progress(visit_id) or {}

    def texts(key: str) -> list[str]:
        value = progress.get(key)
        return [str(x) for x in value] if isinstance(value, list) else []

    recommendations = tuple(
        (str(r[0]), str(r[1]), str(r[2])) for r in progress.get("recs") or [] if isinstance(r, list) and len(r) == 3
    )
    return (
        texts("methods"),
        texts("areas"),
        str(progress.get("findings") or ""),
        str(progress.get("rights") or ""),
        recommendations,
    )


def _checks_of(visit_id: int, detail) -> tuple[tuple[tuple[str, str, str, str], ...], str]:
    """The check of earlier recommendations and the effectiveness assessment (SOP 04, planned visit): stored
    once the visit is done; during the visit, what has been marked so far (the visit's progress), so an act
    printed at the family's home already carries them."""
    checks: dict[str, Any] = {}
    effectiveness = detail.effectiveness
    if detail.card.status == "planned":
        from soptui.services.patronage.doing import load_progress

        progress = load_progress(visit_id) or {}
        checks = progress.get("checks") or {}
        effectiveness = patronage.effectiveness_text(progress.get("eff_level"), progress.get("eff_comment") or "")
        if not checks and detail.card.kind != "planned":
            return (), effectiveness
    elif detail.card.status != "done":
        return (), effectiveness
    rows = []
    for r in detail.earlier:
        status, comment = r.status, r.comment
        mark = checks.get(str(r.id))
        if isinstance(mark, list | tuple) and len(mark) == 2:
            status, comment = str(mark[0]), str(mark[1] or "")
        rows.append((clock.fmt_date(r.visit_date), r.text, RECOMMENDATION_STATUSES.get(status, status), comment))
    return tuple(rows), effectiveness


def print_act(visit_id: int, kind: str, folder: Path | None = None) -> Path:
    """(In a worker) save the act's PDF to the output folder (or `folder`) and audit the printout; returns the path."""
    access.require_visit(None, visit_id)  # access: client
    from soptui.forms import acts as act_form  # fpdf2 loads only when printing

    document = act_document(visit_id, kind)
    path = printing.save(act_form, document, folder)
    # a printout of a family's personal data (152-FZ)
    store.audit("print", "patronage_visit", visit_id, {"act": kind, "draft": document.is_draft})
    return path
