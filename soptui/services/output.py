"""Where printed forms and exports are written, and the print command they are also sent to."""

from __future__ import annotations

import os
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

from soptui.core.session import Actor

PRINT_TIMEOUT_S = 60


def output_dir() -> Path:
    """SOPTUI_OUTPUT, else ~/Documents/soptui (created on demand)."""
    env = os.environ.get("SOPTUI_OUTPUT")
    if env:
        path = Path(env).expanduser()
    else:
        from platformdirs import user_documents_dir

        path = Path(user_documents_dir()) / "soptui"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stored_command() -> str:
    from soptui.db import models as m
    from soptui.db.connection import db

    if db.obj is None:  # no store bound (a form rendered on its own): nothing configured
        return ""
    row = m.Institution.select(m.Institution.print_command).first()
    return (row.print_command or "").strip() if row is not None else ""


def print_command(actor: Actor | None = None) -> str:
    """The configured print command («lp -d ПРИНТЕР»), "" when PDFs only go to the folder."""
    # access: anyone signed in (everyone prints, the administrator edits it); it holds no personal data
    from soptui.services import access

    access.resolve(actor)
    return _stored_command()


def check_print_command(command: str) -> list[str]:
    """The command split as a shell would (no shell runs it); a Russian ValueError when it cannot be used."""
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


def set_print_command(command: str, actor: Actor | None = None) -> str:
    """Store the print command (administrators only); "" turns printing off. Returns the stored command."""
    # access: administrators only
    from soptui.db import models as m
    from soptui.db import store
    from soptui.db.connection import write_transaction
    from soptui.services import access, institution

    access.require_admin(access.resolve(actor))
    command = " ".join(shlex.quote(a) if " " in a else a for a in check_print_command(command))
    institution.ensure()
    with write_transaction():
        row = m.Institution.select().first()
        if row.print_command != command:
            store.update_versioned(m.Institution, row.id, row.version, {"print_command": command})
    return command


@dataclass(frozen=True)
class PrintResult:
    """What happened to a saved PDF: its path, and whether it was sent to the printer (and why not)."""

    path: Path
    sent: bool = False
    error: str = ""  # Russian sentence with the command's own message, when the print command failed

    @property
    def message(self) -> str:
        saved = f"PDF сохранён: {self.path}"
        if self.error:
            return f"{saved}. {self.error}"
        return f"{saved}; отправлен на печать." if self.sent else saved


def send_to_printer(path: Path, command: str | None = None) -> PrintResult:
    """Send a saved PDF to the print command, if one is configured; never raises for a printer's failure.

    The file is passed as the last argument (no shell); the command's own message (stderr, else stdout) is
    kept for the person, cut to 200 characters.
    """
    command = _stored_command() if command is None else command
    if not command.strip():
        return PrintResult(path)
    try:
        argv = check_print_command(command) + [str(path)]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=PRINT_TIMEOUT_S, check=False)
    except ValueError as exc:
        return PrintResult(path, error=f"Не отправлен на печать: {exc}")
    except FileNotFoundError:
        return PrintResult(path, error=f"Не отправлен на печать: программа «{shlex.split(command)[0]}» не найдена.")
    except subprocess.TimeoutExpired:
        return PrintResult(path, error=f"Не отправлен на печать: команда не ответила за {PRINT_TIMEOUT_S} с.")
    except OSError as exc:
        return PrintResult(path, error=f"Не отправлен на печать: {exc.strerror or 'ошибка запуска команды'}.")
    if done.returncode != 0:
        said = " ".join((done.stderr or done.stdout or "").split())[:200]
        detail = f": {said}" if said else f" (код завершения {done.returncode})"
        return PrintResult(path, error=f"Не отправлен на печать — команда «{command}» ответила{detail}")
    return PrintResult(path, sent=True)
