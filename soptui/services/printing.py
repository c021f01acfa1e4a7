"""The one place that renders, names and saves a printed form.

Every module in `soptui.forms` exposes `build(data, creation_date=None) -> SoptuiDocument` and
`file_name(data) -> str` (one document per module);
the services prepare `data` (a plain dataclass) and call `save()` or `render()` here. fpdf2 is
imported only when a form is built, never at start-up.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from soptui.core import clock
from soptui.services.output import PrintResult, output_dir, send_to_printer

# Told about every printout sent (or not) to the print command; the running app sets it (one app a process).
_listener: Callable[[PrintResult], None] | None = None


# Told when a printout starts rendering and when it is written (the app shows a progress bar meanwhile).
_progress: Callable[[str, str], None] | None = None


# Told the path of every file written for the user (PDFs, exports); the app hands it to a browser under `soptui serve`.
_saved: Callable[[Path], None] | None = None


def on_saved(listener: Callable[[Path], None] | None) -> None:
    """Set who is told the path of every PDF or export written for the user (the app)."""
    global _saved
    _saved = listener


def announce(path: Path) -> None:
    """Tell the listener that a file for the user was written (save() does; other writers of exports call it)."""
    listener = _saved
    if listener is not None:
        listener(path)


def on_progress(listener: Callable[[str, str], None] | None) -> None:
    """Set who is told («start», file name) and («done», file name) around every printout (the app)."""
    global _progress
    _progress = listener


def on_printed(listener: Callable[[PrintResult], None] | None) -> None:
    """Set who is told that a printout was sent to the print command or failed there (the app)."""
    global _listener
    _listener = listener


_UNSAFE = re.compile(r"[^\w.\- «»№]+", re.UNICODE)


def safe_file_name(name: str, limit: int = 120) -> str:
    """A file name safe on every file system: no path separators or control characters, at most `limit` chars."""
    cleaned = _UNSAFE.sub("_", name).strip(" ._") or "документ"
    stem, dot, ext = cleaned.rpartition(".")
    if not dot:
        stem, ext = cleaned, "pdf"
    return f"{stem[: limit - len(ext) - 1]}.{ext}"


def build(form: ModuleType, data: Any, creation_date: dt.datetime | None = None):
    """The form's document, with a pinned creation date (reproducible output, the real time by default).

    Every page's header carries the institution's full name (from the data) and its address and phone (here).
    """
    from soptui.forms.base import letterhead

    with letterhead(letterhead_contacts()):
        return form.build(data, creation_date=creation_date or clock.now())


def letterhead_contacts() -> str:
    """«620000, г. Екатеринбург, ул. Ленина, 1 · тел. +7 343 000-00-00» from the institution's settings."""
    from soptui.services import institution

    info = institution.get()
    parts = [info.address.strip(), f"тел. {info.phone.strip()}" if info.phone.strip() else ""]
    return " · ".join(p for p in parts if p)


def render(form: ModuleType, data: Any, creation_date: dt.datetime | None = None) -> bytes:
    """The PDF bytes of one form."""
    return build(form, data, creation_date).to_bytes()


def save(
    form: ModuleType,
    data: Any,
    folder: Path | None = None,
    creation_date: dt.datetime | None = None,
    name: str | None = None,
) -> Path:
    """Render the form and write it to the output folder (or `folder`) under its Russian name; returns the path.

    When a print command is configured the file is also sent to it (services/output.py); a failure does not
    fail the save: the listeners (the app) show the command's message.

    The file is written to a temporary name and renamed, private to the user (0600): it holds personal data.
    """
    folder = Path(folder) if folder is not None else output_dir()
    path = private_folder(folder) / safe_file_name(name or form.file_name(data))
    progress = _progress
    if progress is not None:
        progress("start", path.name)
    try:
        write_private(path, render(form, data, creation_date))
    finally:
        if progress is not None:
            progress("done", path.name)
    announce(path)
    deliver(path)
    return path


def deliver(path: Path) -> PrintResult:
    """Send a saved file to the configured print command (if any) and tell the listeners what happened."""
    result = send_to_printer(path)
    listener = _listener
    if listener is not None and (result.sent or result.error):
        listener(result)
    return result


def private_folder(folder: Path) -> Path:
    """Create the folder owner-only (0700) if it is missing: file names there carry clients' names."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def write_private(path: Path, payload: bytes) -> None:
    """Write the file owner-only (0600) whatever the umask, through a temporary name and a rename."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
