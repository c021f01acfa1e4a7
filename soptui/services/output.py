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
    """SOPTUI_OUTPUT (this workstation's own), else the administrator's folder, else ~/Documents/soptui."""
    # access: open: the folder every PDF and export is written to (no personal data)
    env = os.environ.get("SOPTUI_OUTPUT")
    stored = "" if env else _stored_folder()
    if env or stored:
        path = Path(env or stored).expanduser()
    else:
        from platformdirs import user_documents_dir

        path = Path(user_documents_dir()) / "soptui"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def default_output_dir() -> Path:
    """The folder used when the administrator sets none (and SOPTUI_OUTPUT is not set)."""
    # access: open: a path on this machine
    from platformdirs import user_documents_dir

    return Path(user_documents_dir()) / "soptui"


def _stored_folder() -> str:
    from soptui.db import models as m
    from soptui.db.connection import db

    if db.obj is None:  # no store bound: the default folder
        return ""
    row = m.Institution.select(m.Institution.output_dir).first()
    return (row.output_dir or "").strip() if row is not None else ""


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


def set_print_command(command: str, actor: Actor | None = None) -> str:
    """Store the print command (administrators only); "" turns printing off. Returns the stored command."""
    # access: administrators only
    from soptui.services import access, institution

    actor = access.require_admin(access.resolve(actor))
    return institution.update(actor=actor, print_command=command).print_command


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
    # access: the caller's: the file was just saved by a service that checked the actor
    command = _stored_command() if command is None else command
    if not command.strip():
        return PrintResult(path)
    from soptui.services.institution import check_print_command

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
