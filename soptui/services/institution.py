"""The institution's settings as the UI and the forms need them."""

from __future__ import annotations

from dataclasses import dataclass

from soptui.db import models as m
from soptui.db import store
from soptui.db.connection import write_transaction


@dataclass(frozen=True)
class InstitutionInfo:
    full_name: str
    short_name: str
    address: str
    phone: str
    work_start: str
    work_end: str
    timezone: str
    idle_lock_minutes: int
    service_wait_days: int = 4  # SOP 04: working days from registration to the first service (1-4)


DEFAULT_NAME = "Государственное автономное учреждение социального обслуживания Свердловской области «Комплексный центр социального обслуживания населения»"


def get() -> InstitutionInfo:
    row = m.Institution.select().first()
    if row is None:
        return InstitutionInfo(DEFAULT_NAME, "КЦСОН", "", "", "09:00", "18:00", "Asia/Yekaterinburg", 10, 4)
    return InstitutionInfo(
        row.full_name,
        row.short_name,
        row.address,
        row.phone,
        row.work_start,
        row.work_end,
        row.timezone,
        row.idle_lock_minutes,
        row.service_wait_days,
    )


def ensure(full_name: str = DEFAULT_NAME, short_name: str = "КЦСОН", **fields) -> None:
    """Create the institution row on first run."""
    with write_transaction():
        if not m.Institution.select().exists():
            store.create(m.Institution, full_name=full_name, short_name=short_name, **fields)


def check_hours(start: str, end: str) -> tuple[str, str]:
    """Validate working hours "09:00", "18:00"; raise ValueError with a Russian message."""
    from soptui.core import clock

    t1, t2 = clock.parse_time(start), clock.parse_time(end)
    if t2 <= t1:
        raise ValueError("Конец рабочего дня должен быть позже начала.")
    return f"{t1:%H:%M}", f"{t2:%H:%M}"


def update(**changes) -> InstitutionInfo:
    """Change the institution's settings (creating the row on first use)."""
    if "idle_lock_minutes" in changes and not 1 <= changes["idle_lock_minutes"] <= 240:
        raise ValueError("Время до блокировки экрана — от 1 до 240 минут.")
    if "service_wait_days" in changes and not 1 <= changes["service_wait_days"] <= 4:
        raise ValueError("Срок ожидания услуги по СОП 04 — от 1 до 4 рабочих дней.")
    if "timezone" in changes:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(changes["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"Неизвестный часовой пояс «{changes['timezone']}».") from None
    ensure()
    with write_transaction():
        row = m.Institution.select().first()
        if changes:
            store.update_versioned(m.Institution, row.id, row.version, changes)
    return get()
