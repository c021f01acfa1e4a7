"""What the call modules share: the error, the state and outcome labels, who a call is to, list scope."""

from __future__ import annotations

import datetime as dt

from soptui.core import clock
from soptui.core.phones import format_phone
from soptui.db import models as m
from soptui.domain.labels import CHANNELS, NOTICE_STATES


def is_mobile(e164: str) -> bool:
    """A mobile number (SOP 03 §5: «При звонке на сотовый телефон» the notice is sent first)."""
    if not e164:
        return False
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, "RU")
    except phonenumbers.NumberParseException:
        return False
    kind = phonenumbers.number_type(number)
    return kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


class CallError(ValueError):
    """A call that cannot be started or finished as asked; the message is Russian."""


def messengers_text(messengers) -> str:
    """«WhatsApp +7 (912) 345-67-89, Telegram @name»: phone-like handles formatted."""
    return ", ".join(f"{label} {format_phone(v) if v.startswith('+') else v}" for label, v in messengers)


def contact_points(**owner) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """The phones (E.164) and messengers (channel label, value) of one owner: client=, representative= or contact=."""
    phones, messengers = [], []
    for cp in (
        m.ContactPoint.select()
        .where(*[getattr(m.ContactPoint, k) == v for k, v in owner.items()])
        .order_by(m.ContactPoint.id)
    ):
        if cp.channel == "phone":
            phones.append(cp.value)
        else:
            messengers.append((CHANNELS.get(cp.channel, cp.channel), cp.value))
    return tuple(phones), tuple(messengers)


def person_of(call: m.PhoneCall) -> tuple[str, int | None, object | None]:
    """(kind, id, row) of whom the call is to: a representative, a contact or the client (row None)."""
    if call.representative_id:
        return "representative", call.representative_id, m.Representative.get_or_none(id=call.representative_id)
    if call.contact_id:
        return "contact", call.contact_id, m.Contact.get_or_none(id=call.contact_id)
    return "client", call.client_id, None


def notice_label(state: str, sent_at: dt.datetime | None, call_at: dt.datetime | None) -> str:
    """SOP 03 «Ответ»: what the specialist should do about the pre-notification."""
    if not state:
        return ""
    if state == "answered" and call_at is not None:
        day = "" if call_at.date() == clock.today() else f"{clock.fmt_date(call_at.date())} "
        return f"позвонить в {day}{call_at:%H:%M}"
    if state == "read":
        return "прочитано, ответа нет"
    return NOTICE_STATES.get(state, state) + (f" (с {sent_at:%H:%M})" if sent_at else "")


def call_scope(query, staff_id: int | None, department_id: int | None):
    """Narrow a query joined with Client to one specialist's calls and/or one department's."""
    if staff_id is not None:
        query = query.where(m.PhoneCall.staff == staff_id)
    if department_id is not None:
        query = query.where(m.Client.department == department_id)
    return query
