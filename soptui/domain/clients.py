"""Client rules as plain Python: field labels, the status lifecycle, who may see a client, IPRA warnings."""

from __future__ import annotations

import datetime as dt

from soptui.core import clock
from soptui.domain.labels import CLIENT_STATUSES

# how a field of the client or person forms is named in conflicts and the audit log
FIELD_LABELS = {
    "last_name": "Фамилия",
    "first_name": "Имя",
    "patronymic": "Отчество",
    "birth_date": "Дата рождения",
    "category": "Категория",
    "department_id": "Отделение",
    "assigned_staff_id": "Специалист",
    "address": "Адрес",
    "remote_territory": "Отдалённая территория",
    "ipra_number": "Номер ИПРА",
    "ipra_start": "ИПРА с",
    "ipra_end": "ИПРА по",
    "consent_date": "Согласие на обработку ПДн",
    "notes": "Примечание",
    "phones": "Телефоны",
    "messengers": "Мессенджеры",
    "department": "Отделение",
    "assigned_staff": "Специалист",
    "status": "Статус",
    "status_reason": "Причина",
    "status_changed_at": "Дата статуса",
    "relation": "Кем приходится",
    "preferred_call_time": "Когда звонить",
    "kind": "Кто это",
}


# --- status lifecycle -------------------------------------------------------------------

TRANSITIONS = {
    "potential": ("served", "refused"),
    "served": ("closed", "refused"),
    "refused": ("potential", "served"),  # reopening keeps the history
    "closed": ("potential", "served"),
}
NEEDS_REASON = ("refused", "closed")


def allowed_statuses(current: str) -> list[tuple[str, str]]:
    """(status, label) a client in `current` may move to."""
    return [(s, CLIENT_STATUSES[s]) for s in TRANSITIONS.get(current, ())]


# --- who may see a client -----------------------------------------------------------------


# --- age and IPRA ---------------------------------------------------------------------------


def age(birth: dt.date | None, today: dt.date) -> int | None:
    """Full years on `today`; None without a birth date."""
    if birth is None:
        return None
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def ipra_warning(end: dt.date | None, today: dt.date) -> str:
    """ "ИПРА истекает ... (через N дн.)" within 30 days of its end, "ИПРА истекла ..." after it, else ""."""
    if end is None:
        return ""
    days = (end - today).days
    if days < 0:
        return f"ИПРА истекла {clock.fmt_date(end)}"
    if days <= 30:
        return f"ИПРА истекает {clock.fmt_date(end)} (через {days} дн.)"
    return ""
