"""The institution's settings as the UI and the forms need them, and their change by the administrator.

Reading is open to everyone (every form header and script names the institution); changing is for
administrators only (the app's «Администрирование» and `soptui institution` go through `update`).
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from pathlib import Path

from soptui.core.session import Actor
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
    print_command: str = ""
    output_dir: str = ""  # "" = the default folder (services/output.py)
    version: int = 0  # the stored row's version (0: not stored yet); the form's conflict review needs it


DEFAULT_NAME = "Государственное автономное учреждение социального обслуживания Свердловской области «Комплексный центр социального обслуживания населения»"

# Russia's time zones, west to east: what the administrator picks from (stored as the IANA name)
TIMEZONES = {
    "Europe/Kaliningrad": "Калининград (МСК−1)",
    "Europe/Moscow": "Москва (МСК)",
    "Europe/Samara": "Самара (МСК+1)",
    "Asia/Yekaterinburg": "Екатеринбург (МСК+2)",
    "Asia/Omsk": "Омск (МСК+3)",
    "Asia/Novosibirsk": "Новосибирск (МСК+4)",
    "Asia/Krasnoyarsk": "Красноярск (МСК+4)",
    "Asia/Irkutsk": "Иркутск (МСК+5)",
    "Asia/Yakutsk": "Якутск (МСК+6)",
    "Asia/Vladivostok": "Владивосток (МСК+7)",
    "Asia/Magadan": "Магадан (МСК+8)",
    "Asia/Kamchatka": "Камчатка (МСК+9)",
}

# What `update` accepts, with the field's name for a refusal
FIELDS = {
    "full_name": "Полное наименование",
    "short_name": "Краткое наименование",
    "address": "Адрес",
    "phone": "Телефон",
    "work_start": "Начало рабочего дня",
    "work_end": "Конец рабочего дня",
    "timezone": "Часовой пояс",
    "idle_lock_minutes": "Блокировка экрана",
    "service_wait_days": "Срок первой услуги",
    "print_command": "Команда печати",
    "output_dir": "Папка для PDF",
}


class SettingsError(ValueError):
    """A refused value; `field` names the setting it belongs to (the form shows the message there)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def _info(row: m.Institution | None) -> InstitutionInfo:
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
        row.print_command or "",
        row.output_dir or "",
        row.version,
    )


def get() -> InstitutionInfo:
    """The institution as stored (defaults before the first run stored it)."""
    # access: anyone, signed in or not: the sign-in screen, every form header and script name the institution
    from soptui.db import prepared

    row = prepared.rows(m.Institution)  # one row; kept SQL: every call start and script reads it
    return _info(row[0] if row else None)


def ensure(full_name: str = DEFAULT_NAME, short_name: str = "КЦСОН", **fields) -> None:
    """Create the institution row on first run."""
    # access: first run only: creates the row when there is none, changes nothing stored
    with write_transaction():
        if not m.Institution.select().exists():
            store.create(m.Institution, full_name=full_name, short_name=short_name, **fields)


def check_hours(start: str, end: str) -> tuple[str, str]:
    """Validate working hours "09:00", "18:00"; raise ValueError with a Russian message."""
    # access: pure: checks two values
    from soptui.core import clock

    t1, t2 = clock.parse_time(start), clock.parse_time(end)
    if t2 <= t1:
        raise SettingsError("Конец рабочего дня должен быть позже начала.", "work_end")
    return f"{t1:%H:%M}", f"{t2:%H:%M}"


def _has_phone_number(text: str) -> bool:
    import phonenumbers

    return any(True for _ in phonenumbers.PhoneNumberMatcher(text, "RU"))


def check(changes: dict) -> dict:
    """The changes cleaned as they will be stored; SettingsError (a ValueError) with the field otherwise."""
    # access: pure: checks values handed to it
    out = dict(changes)
    unknown = set(out) - set(FIELDS)
    if unknown:
        raise SettingsError("Неизвестная настройка: " + ", ".join(sorted(unknown)) + ".")
    for key in ("full_name", "short_name", "address", "phone"):
        if key in out:
            out[key] = " ".join(str(out[key] or "").split())
    if "full_name" in out and not out["full_name"]:
        raise SettingsError("Укажите полное наименование учреждения с формой собственности.", "full_name")
    if "short_name" in out and not out["short_name"]:
        raise SettingsError("Укажите краткое наименование (оно в заголовке каждого экрана).", "short_name")
    for key in ("full_name", "short_name", "address", "phone"):
        if key in out and len(out[key]) > 400:
            raise SettingsError(f"{FIELDS[key]}: не длиннее 400 знаков.", key)
    if out.get("phone") and not _has_phone_number(out["phone"]):
        # printed on every letterhead: «тел. 8 (343) 000-00-00, доб. 12» is fine, any text was too
        raise SettingsError("Телефон: не найден номер — например, +7 (343) 000-00-00, доб. 12.", "phone")
    if "work_start" in out or "work_end" in out:
        from soptui.core import clock

        current = get()
        for key in ("work_start", "work_end"):
            try:
                clock.parse_time(str(out.get(key, getattr(current, key))))
            except ValueError as exc:
                raise SettingsError(str(exc), key) from None
        out["work_start"], out["work_end"] = check_hours(
            str(out.get("work_start", current.work_start)), str(out.get("work_end", current.work_end))
        )
    if "idle_lock_minutes" in out and not 1 <= int(out["idle_lock_minutes"]) <= 240:
        raise SettingsError("Время до блокировки экрана — от 1 до 240 минут.", "idle_lock_minutes")
    if "service_wait_days" in out and not 1 <= int(out["service_wait_days"]) <= 4:
        raise SettingsError("Срок ожидания услуги по СОП 04 — от 1 до 4 рабочих дней.", "service_wait_days")
    if "timezone" in out:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(out["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(f"Неизвестный часовой пояс «{out['timezone']}».", "timezone") from None
    if "print_command" in out:
        try:
            out["print_command"] = normalize_print_command(out["print_command"])
        except ValueError as exc:
            raise SettingsError(str(exc), "print_command") from None
    if "output_dir" in out:
        try:
            out["output_dir"] = check_output_dir(out["output_dir"])
        except ValueError as exc:
            raise SettingsError(str(exc), "output_dir") from None
    return out


def check_output_dir(text: str, create: bool = False) -> str:
    """The folder as stored: an absolute path (or ~/…) that is a folder or can be made one; "" = the default.

    Raises ValueError with a Russian message. With `create` a missing folder is made owner-only (0700); without
    it nothing is made (a save refused for another field left the folder behind).
    """
    # access: pure: checks a value handed to it (creates the folder it names only when asked)
    text = (text or "").strip()
    if not text:
        return ""
    path = Path(text).expanduser()
    if not path.is_absolute():
        raise ValueError("Папка — полный путь, например /home/общая/soptui или ~/Документы/soptui.")
    if path.exists() and not path.is_dir():
        raise ValueError("По этому пути — файл, а не папка.")
    if not path.exists():
        existing = next((a for a in path.parents if a.exists()), None)
        if existing is None or not existing.is_dir():
            raise ValueError("Папку не удалось создать: часть пути — не папка.")
        if not os.access(existing, os.W_OK | os.X_OK):
            raise ValueError("Папку не удалось создать: нет прав.")
        if not create:
            return text
        try:
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise ValueError(f"Папку не удалось создать: {exc.strerror or 'нет доступа'}.") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise ValueError("В эту папку нельзя записывать: нет прав.")
    return text


def check_print_command(command: str) -> list[str]:
    """The command split as a shell would (no shell runs it); a Russian ValueError when it cannot be used."""
    # access: pure: checks a value handed to it
    command = (command or "").strip()
    if not command:
        return []
    try:
        argv = shlex.split(command)
    except ValueError:
        raise ValueError("Команда печати: непарная кавычка.") from None
    if any(ch in command for ch in ";|&`$<>"):
        raise ValueError("Команда печати — одна программа с параметрами, без ; | & $ < > (например, lp -d ПРИНТЕР).")
    return argv


def normalize_print_command(command: str) -> str:
    """The command as stored: checked, its arguments re-joined (an argument with a space quoted)."""
    # access: pure: checks a value handed to it
    return " ".join(shlex.quote(a) if " " in a else a for a in check_print_command(command))


def update(*, actor: Actor | None = None, version: int | None = None, **changes) -> InstitutionInfo:
    """Change the institution's settings (creating the row on first use); administrators only.

    `version`: the version the form started from; a colleague's save since then raises ConflictError
    (the form's conflict review). Without it (the command line) the stored version is used.
    """
    # access: administrators only
    from soptui.services import access

    access.require_admin(access.resolve(actor))
    changes = check(changes)
    with write_transaction():
        row = m.Institution.select().first()
        if row is None:  # first use: the defaults the form showed (version 0) become the stored row
            row = store.create(m.Institution, full_name=DEFAULT_NAME, short_name="КЦСОН")
            version = row.version if version == 0 else version
        stored = store.row_dict(row)
        real = {k: v for k, v in changes.items() if stored.get(k) != v}
        if real:  # nothing really changed: nothing to save, nothing to conflict with
            store.update_versioned(m.Institution, row.id, row.version if version is None else version, real)
    if changes.get("output_dir"):  # made once the whole change is saved (checked writable above)
        try:
            check_output_dir(changes["output_dir"], create=True)
        except ValueError as exc:
            raise SettingsError(str(exc), "output_dir") from None
    return get()
