"""Printing the calls' documents: the «Телефонные переговоры» form of one call and the log of a period.

The data is prepared here and rendered by `services.printing` (fpdf2 loads only when a form is printed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from soptui.core import session
from soptui.services import access, institution, printing
from soptui.services.calls.lists import LogEntry, log_entry, phone_log, scope_for


@dataclass(frozen=True)
class CallForm:
    """What `forms.call_form` prints: one finished call."""

    institution: str
    entry: LogEntry


@dataclass(frozen=True)
class PhoneLog:
    """What `forms.phone_log` prints: the finished calls of a period, as the actor may see them."""

    institution: str
    start: dt.date
    end: dt.date
    who: str  # the specialist (ФИО, position) or the department the log is narrowed to; empty for all
    entries: tuple[LogEntry, ...]


def call_form_data(call_id: int) -> CallForm:
    """The form of a finished call (CallError if it is not finished)."""
    access.require_call(None, call_id)  # access: client
    return CallForm(institution.get().full_name, log_entry(call_id))


def phone_log_data(start: dt.date, end: dt.date, actor: session.Actor | None) -> PhoneLog:
    """The log of a period: a specialist's own calls, a head's department's, an administrator's all."""
    actor = access.require_staff(actor)  # access: staff
    staff_id, department_id = scope_for(actor)
    entries = phone_log(start, end, actor)
    if staff_id:
        who = f"{actor.full_name}, {actor.position_label}"
    elif department_id:
        who = actor.department_name
    else:
        who = ""
    return PhoneLog(institution.get().full_name, start, end, who, tuple(entries))


def print_call_form(call_id: int, folder: Path | None = None) -> Path:
    """(In a worker) save the form of a finished call to the output folder (or `folder`); returns the path."""
    access.require_call(None, call_id)  # access: client
    from soptui.forms import call_form

    return printing.save(call_form, call_form_data(call_id), folder)


def print_phone_log(start: dt.date, end: dt.date, actor: session.Actor | None, folder: Path | None = None) -> Path:
    """(In a worker) save the «Телефонные переговоры» log of a period as `actor` sees it; returns the path."""
    access.require_staff(actor)  # access: staff
    from soptui.forms import phone_log as phone_log_form

    return printing.save(phone_log_form, phone_log_data(start, end, actor), folder)
