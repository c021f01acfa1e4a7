"""The private error log: what failed and where, never with values (no personal data, no passwords).

One line block per error: time, the exception's type and the stack as file:line in function. The
exception's message and local variables are never written: a failed save's message can hold a
client's name, a failed sign-in's frame holds the typed password. The file is 0600 in a 0700 folder
under the user's state directory (SOPTUI_LOG_DIR overrides it).
"""

from __future__ import annotations

import datetime as dt
import os
import traceback
from pathlib import Path

from soptui.core.text import CONTROL_MESSAGE

LOG_NAME = "errors.log"
MAX_BYTES = 1_000_000  # one older file is kept as errors.log.1


def log_dir() -> Path:
    env = os.environ.get("SOPTUI_LOG_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_state_dir

    return Path(user_state_dir("soptui"))


def log_path() -> Path:
    return log_dir() / LOG_NAME


def describe(exc: BaseException) -> str:
    """Type and stack of an exception (and its causes), with no message and no values."""
    lines = []
    seen = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        kind = type(current)
        lines.append(f"{kind.__module__}.{kind.__qualname__}")
        for frame in traceback.extract_tb(current.__traceback__):
            lines.append(f"  {frame.filename}:{frame.lineno} in {frame.name}")
        current = current.__cause__ or current.__context__
        if current is not None:
            lines.append("caused by / during:")
    return "\n".join(lines)


def log_exception(exc: BaseException, where: str = "") -> Path | None:
    """Append the error to the private log; never raises (a failing log must not hide the first error)."""
    try:
        folder = log_dir()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        from soptui.core.storecheck import own_folder

        if own_folder(folder):  # SOPTUI_LOG_DIR=/tmp must not close /tmp to everyone (the log itself is 0600)
            os.chmod(folder, 0o700)
        path = folder / LOG_NAME
        if path.exists() and path.stat().st_size > MAX_BYTES:
            os.replace(path, path.with_name(LOG_NAME + ".1"))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            # with its UTC offset: the machine's zone may not be the institution's that the app shows
            stamp = dt.datetime.now().astimezone().isoformat(timespec="seconds")
            fh.write(f"--- {stamp} {where}\n{describe(exc)}\n")
        os.chmod(path, 0o600)
        return path
    except Exception:  # noqa: BLE001 - the log is best effort
        return None


def user_message(exc: BaseException, action: str = "выполнить действие") -> str:
    """One Russian sentence for the screen, by the kind of failure; never the exception's own text."""
    name = type(exc).__name__
    text = str(exc).lower() if name in ("OperationalError", "StoreError", "DatabaseError") else ""
    if "malformed" in text or "not a database" in text:
        return (
            f"Не удалось {action}: база данных повреждена. Сообщите администратору: "
            "её нужно восстановить из последней резервной копии (soptui restore)."
        )
    if name == "StoreBusy" or "locked" in text or "busy" in text:
        return f"Не удалось {action}: база занята, попробуйте ещё раз через минуту."
    if name == "AccessDenied":
        # its text is one of the services' own Russian sentences (services/access.py), naming no one: it says why
        why = str(exc).strip().rstrip(".")
        if why and not why.isascii():
            return f"Не удалось {action}: {why[0].lower()}{why[1:]}."
        return f"Не удалось {action}: нет доступа."
    if name == "ControlCharacters":  # a form that does not check its text box at the field
        return f"Не удалось {action}: {CONTROL_MESSAGE[0].lower()}{CONTROL_MESSAGE[1:]}"
    if name in ("ConflictError", "RecordGone"):
        return f"Не удалось {action}: запись изменил или удалил другой сотрудник, откройте её заново."
    if name in ("OperationalError", "StoreError", "DatabaseError", "InterfaceError"):
        return f"Не удалось {action}: ошибка базы данных. Подробности записаны в журнал ошибок."
    if isinstance(exc, OSError):
        return f"Не удалось {action}: ошибка записи файла. Подробности записаны в журнал ошибок."
    return f"Не удалось {action}: внутренняя ошибка. Подробности записаны в журнал ошибок."
