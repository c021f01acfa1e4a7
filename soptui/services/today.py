"""What is due today for the signed-in person: deadlines, calls, visits, sessions.

Each area registers a provider `(actor, today) -> list[TodayItem]` in PROVIDERS;
Today shows them grouped by section, most urgent first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from .. import clock
from ..services.session import Actor
from . import referrals

STATE_ORDER = {"overdue": 0, "today": 1, "ok": 2, "info": 3, "done": 4}


@dataclass(frozen=True)
class TodayItem:
    section: str  # "Сроки по обращениям", "Звонки", "Патронаж", "Занятия"
    when: str  # "до 27.11.2026", "14:30"
    who: str
    what: str
    state: str  # overdue / today / ok / info
    target: tuple[str, int]  # ("client", id), ("call", id), ("visit", id), ("session", id)
    sort_key: str = ""


def referral_items(actor: Actor, today: dt.date) -> list[TodayItem]:
    """SOP 03/04 deadlines of referrals with no first-contact call yet."""
    staff_id = None if actor.is_head else actor.id
    department = None if actor.sees_all_departments else actor.department_id
    items = []
    for r in referrals.open_referrals(today, staff_id=staff_id, department_id=department):
        what = f"первичный звонок: {r.countdown}"
        if r.warning:
            what += " ⚠"
        items.append(TodayItem("Сроки по обращениям", f"до {clock.fmt_date(r.first_contact_due)}",
                               r.client_name, what, r.state, ("client", r.client_id),
                               r.first_contact_due.isoformat()))
    return items


Provider = Callable[[Actor, dt.date], list[TodayItem]]
PROVIDERS: list[Provider] = [referral_items]


def collect(actor: Actor, today: dt.date | None = None) -> list[TodayItem]:
    """All items for Today, grouped by section in provider order, urgent first within each."""
    today = today or clock.today()
    result: list[TodayItem] = []
    for provider in PROVIDERS:
        items = provider(actor, today)
        items.sort(key=lambda i: (STATE_ORDER.get(i.state, 9), i.sort_key, i.when))
        result.extend(items)
    return result


from . import groups as _groups  # noqa: E402  (SOP 05: today's sessions, Enter opens the roll-call)

PROVIDERS.append(_groups.today_items)

from . import visits as _visits  # noqa: E402  (SOP 04: visits today, overdue acts, call drafts)

PROVIDERS.append(_visits.today_items)

from . import calls as _calls  # noqa: E402  (SOP 01-03: callbacks, control points, sessions, SMS waits)

PROVIDERS.append(_calls.today_items)

from . import clients as _clients  # noqa: E402  (registry: IPRA ending within 30 days)

PROVIDERS.append(_clients.today_items)
