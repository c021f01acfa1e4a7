"""Who can be called about a client (representatives, relatives, the client), the call context and call hours."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from soptui.core import clock
from soptui.core.text import full_name, name_patronymic
from soptui.db import models as m
from soptui.domain import workdays
from soptui.services import access, institution
from soptui.services.calls._common import CallError, contact_points, messengers_text


@dataclass(frozen=True)
class CallPerson:
    """Someone the specialist may call: a representative, a relative/friend or the client."""

    kind: str  # representative / contact / client
    id: int
    full_name: str
    name_patronymic: str
    relation: str
    phones: tuple[str, ...]  # E.164
    messengers: tuple[tuple[str, str], ...]  # (channel label, value)
    preferred_call_time: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def messengers_text(self) -> str:
        return messengers_text(self.messengers)


@dataclass(frozen=True)
class ReferralBrief:
    id: int
    received_at: dt.datetime
    ground: str
    source_body: str
    summary: str
    first_contact_due: dt.date
    first_contact_at: dt.datetime | None


@dataclass(frozen=True)
class CallContext:
    """What the start-of-call dialog needs about a client."""

    client_id: int
    client_name: str
    category: str
    persons: tuple[CallPerson, ...]
    referral: ReferralBrief | None
    suggested_sop: str

    @property
    def has_phone(self) -> bool:
        return any(p.phones for p in self.persons)


def _persons(client: m.Client) -> list[CallPerson]:
    people: list[CallPerson] = []
    for rep in m.Representative.select().where(m.Representative.client == client.id).order_by(m.Representative.id):
        phones, msgs = contact_points(representative=rep.id)
        people.append(
            CallPerson(
                "representative",
                rep.id,
                full_name(rep.last_name, rep.first_name, rep.patronymic),
                name_patronymic(rep.first_name, rep.patronymic),
                rep.relation,
                phones,
                msgs,
                rep.preferred_call_time,
            )
        )
    for con in m.Contact.select().where(m.Contact.client == client.id).order_by(m.Contact.id):
        phones, msgs = contact_points(contact=con.id)
        people.append(
            CallPerson(
                "contact",
                con.id,
                full_name(con.last_name, con.first_name, con.patronymic),
                name_patronymic(con.first_name, con.patronymic),
                con.relation or ("друг" if con.kind == "friend" else "родственник"),
                phones,
                msgs,
            )
        )
    phones, msgs = contact_points(client=client.id)
    people.append(
        CallPerson(
            "client",
            client.id,
            full_name(client.last_name, client.first_name, client.patronymic),
            name_patronymic(client.first_name, client.patronymic),
            "сам клиент",
            phones,
            msgs,
        )
    )
    return people


def _callee(client_id: int, kind: str, person_id: int) -> tuple[str, str] | None:
    """(full name, relation) of one person the client's call may go to, as `call_context` lists them, or None
    when this is not one of the client's people. Reads that one row (starting a call needs no more)."""
    if kind == "representative":
        rep = m.Representative.get_or_none(m.Representative.id == person_id)
        if rep is None or rep.client_id != client_id:
            return None
        return full_name(rep.last_name, rep.first_name, rep.patronymic), rep.relation
    if kind == "contact":
        con = m.Contact.get_or_none(m.Contact.id == person_id)
        if con is None or con.client_id != client_id:
            return None
        return full_name(con.last_name, con.first_name, con.patronymic), con.relation or (
            "друг" if con.kind == "friend" else "родственник"
        )
    if kind == "client" and person_id == client_id:
        client = m.Client.get_or_none(m.Client.id == client_id)
        if client is None:
            raise CallError("Клиент не найден: возможно, его карточку удалили.")
        return full_name(client.last_name, client.first_name, client.patronymic), "сам клиент"
    return None


def _open_referral_id(client_id: int) -> int | None:
    """The client's open referral that `call_context` offers (access is the caller's)."""
    ref = _open_referral(client_id)
    return ref.id if ref is not None else None


def _open_referral(client_id: int) -> m.Referral | None:
    return (
        m.Referral.select()
        .where((m.Referral.client == client_id) & (m.Referral.closed == False))  # noqa: E712
        .order_by(m.Referral.first_contact_at.is_null(False), m.Referral.received_at.desc())
        .first()
    )


def _brief(ref: m.Referral | None) -> ReferralBrief | None:
    if ref is None:
        return None
    return ReferralBrief(
        ref.id, ref.received_at, ref.ground, ref.source_body, ref.summary, ref.first_contact_due, ref.first_contact_at
    )


def call_context(client_id: int) -> CallContext:
    """The client's people with their phones and messengers, the open referral and a suggested SOP."""
    access.require_client_id(None, client_id)  # access: client
    client = m.Client.get_or_none(m.Client.id == client_id)
    if client is None:
        raise CallError("Клиент не найден: возможно, его карточку удалили.")
    ref = _open_referral(client_id)
    if ref is not None and ref.first_contact_at is None:
        sop = "03"
    elif client.category == "child":
        sop = "01"
    else:
        sop = "02"
    return CallContext(
        client.id,
        full_name(client.last_name, client.first_name, client.patronymic),
        client.category,
        tuple(_persons(client)),
        _brief(ref),
        sop,
    )


def default_person(ctx: CallContext, sop: str) -> CallPerson | None:
    """SOP 01/03 call the legal representative, SOP 02 a relative or friend; the first with a phone."""
    wanted = {"01": ("representative",), "03": ("representative", "client"), "02": ("contact",)}[sop]
    for kind in wanted:
        for p in ctx.persons:
            if p.kind == kind and p.phones:
                return p
    return next((p for p in ctx.persons if p.phones), None)


NO_PHONE_MESSAGE = (
    "У клиента, его представителей и родственников не записано ни одного телефона. "
    "Добавьте номер в карточке клиента (F3 Клиенты), затем начните звонок."
)


# --- call hours (SOP 03: only in working time 09:00-18:00) -------------------------------


def _work_window() -> tuple[dt.time, dt.time]:
    info = institution.get()
    try:
        return clock.parse_time(info.work_start), clock.parse_time(info.work_end)
    except ValueError:
        return dt.time(9), dt.time(18)


def work_window() -> tuple[dt.time, dt.time]:
    """The institution's working hours (reads the database: call from a worker)."""
    return _work_window()


def call_hours_problem(moment: dt.datetime | None = None, window: tuple[dt.time, dt.time] | None = None) -> str | None:
    """Why `moment` is outside working time (Russian), or None when calling is allowed.

    With `window` given this is pure (calendar only), so a dialog may call it on the UI thread.
    """
    moment = moment or clock.now()
    start, end = window or _work_window()
    day = moment.date()
    weekday = ["понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"][day.weekday()]
    hours = workdays.working_hours(day, start, end)
    if hours is None:
        return f"{clock.fmt_date(day)} ({weekday}) — нерабочий день. Звонить можно только в рабочее время."
    begin, finish = hours
    if not (begin <= moment.time() < finish):
        short = " (предпраздничный сокращённый день)" if workdays.is_short_day(day) else ""
        return (
            f"Сейчас {moment:%H:%M}, а рабочее время {clock.fmt_date(day)}{short} — "
            f"с {begin:%H:%M} до {finish:%H:%M}. СОП 03: звонок только в рабочее время."
        )
    return None


def check_future_working_time(
    moment: dt.datetime, what: str = "Перезвонить", window: tuple[dt.time, dt.time] | None = None
) -> None:
    """Raise CallError if `moment` has passed or falls outside working time (callbacks, visits)."""
    now = clock.now()
    if moment <= now:
        raise CallError(f"Это время уже прошло: сейчас {clock.fmt_datetime(now)}.")
    window = window or _work_window()
    problem = call_hours_problem(moment, window)
    if problem:
        start, end = window
        hours = workdays.working_hours(moment.date(), start, end)
        if hours is None:
            raise CallError(f"{what} можно только в рабочий день: {clock.fmt_date(moment.date())} — нерабочий.")
        raise CallError(
            f"{what} можно только в рабочее время: {clock.fmt_date(moment.date())} "
            f"с {hours[0]:%H:%M} до {hours[1]:%H:%M}."
        )
