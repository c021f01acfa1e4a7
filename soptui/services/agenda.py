"""What is due today for the signed-in person: deadlines, calls, visits, sessions.

Each area has a provider `(actor, today) -> list[TodayItem]`, listed in PROVIDERS;
Today shows them grouped by section, most urgent first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from soptui.core import clock
from soptui.core.session import Actor
from soptui.domain.agenda import STATE_ORDER, TodayItem
from soptui.services import access, calls, clients, drafts, groups, patronage, referrals


def referral_items(actor: Actor, today: dt.date) -> list[TodayItem]:
    """SOP 03/04 deadlines: the first-contact call, the registration, and the first service after it."""
    items = []
    for r in referrals.open_referrals(today, actor):
        what = f"первичный звонок: {r.countdown}"
        if r.warning:
            what += " ⚠"
        items.append(
            TodayItem(
                "Сроки по обращениям",
                f"до {clock.fmt_date(r.first_contact_due)}",
                r.client_name,
                what,
                r.state,
                ("client", r.client_id),
                r.first_contact_due.isoformat(),
            )
        )
    for step in referrals.pending_steps(today, actor):
        if step.step == "registration":
            what = f"регистрация (СОП 04): {step.countdown}"
        else:
            what = f"первая услуга (СОП 04): {step.countdown}"
        items.append(
            TodayItem(
                "Сроки по обращениям",
                f"до {clock.fmt_date(step.due)}",
                step.client_name,
                what,
                step.state,
                ("client", step.client_id),
                step.due.isoformat(),
            )
        )
    return items


Provider = Callable[[Actor, dt.date], list[TodayItem]]
# Order is the order of Today's sections: unfinished forms, referral deadlines, sessions (SOP 05), patronage (SOP 04),
# calls (SOP 01-03), registry reminders (IPRA ending, missing consent).
PROVIDERS: list[Provider] = [
    drafts.today_items,  # «Незавершённое» first: work begun and not saved
    referral_items,
    groups.today_items,
    patronage.today_items,
    calls.today_items,
    clients.today_items,
]


def collect(actor: Actor, today: dt.date | None = None) -> list[TodayItem]:
    """All items for Today, grouped by section in provider order, urgent first within each."""
    today = today or clock.today()
    if not access.works_with_clients(actor):
        return []  # an administrator opens no case file: nothing of anyone's is due for them
    result: list[TodayItem] = []
    for provider in PROVIDERS:
        items = provider(actor, today)
        items.sort(key=lambda i: (STATE_ORDER.get(i.state, 9), i.sort_key, i.when))
        result.extend(items)
    return result
