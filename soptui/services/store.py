"""Opening the store for the app and the command line: connect, migrate, load calendar overrides."""

from __future__ import annotations

import os

from soptui import db
from soptui.services import calendar


def open_store(
    url_or_path: str | os.PathLike | None = None, demo: bool = False, create: bool = True, daily_backup: bool = False
):
    """Open, bind and migrate the store, then load the administrator's production-calendar overrides.

    `daily_backup` (the app): the first start of a working day makes the day's automatic copy in the
    background (services/backup.py: verified, rotated); a failure is logged and said, never fatal."""
    database = db.open_store(url_or_path, demo=demo, create=create)
    calendar.load_overrides()
    if daily_backup:
        start_daily_backup(database)
    return database


# What the last automatic copy did, for the app to say after sign-in ("" while none has finished).
DAILY_BACKUP_REPORT: list[str] = []


def start_daily_backup(database) -> None:
    """Run the day's automatic copy in a thread of its own (sign-in does not wait for it)."""
    import threading

    def run() -> None:
        from soptui.core.errorlog import log_exception
        from soptui.services import backup

        try:
            result = backup.daily_backup(database)
        except backup.BackupError as exc:
            DAILY_BACKUP_REPORT.append(f"Автоматическая резервная копия не сделана: {exc}")
        except Exception as exc:  # noqa: BLE001 - logged without values; the app keeps working
            log_exception(exc, "daily_backup")
            DAILY_BACKUP_REPORT.append("Автоматическая резервная копия не сделана: подробности в журнале ошибок.")
        else:
            if result is not None:
                DAILY_BACKUP_REPORT.append(f"Резервная копия за сегодня сохранена: {result.path}")

    threading.Thread(target=run, name="soptui-daily-backup", daemon=True).start()


def is_open() -> bool:
    """Whether a store is already bound in this process (tests and the demo build bind it early)."""
    from soptui.db.connection import db as proxy

    return proxy.obj is not None
