"""Online backup of the SQLite store, checked with integrity_check."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BackupResult:
    path: Path
    pages: int
    integrity: str  # "ok" or SQLite's first complaint


class BackupError(Exception):
    """Backup failed; the message is one Russian sentence."""


def backup_sqlite(source: Path, dest: Path) -> BackupResult:
    """Copy a live database with SQLite's online backup API while others keep working."""
    dest = Path(dest)
    if dest.is_dir():
        dest = dest / f"{Path(source).stem}-backup.db"
    if dest.resolve() == Path(source).resolve():
        raise BackupError("Копию нельзя записать поверх самой базы данных.")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists():
            dest.unlink()
        os.close(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # personal data: owner only
        os.chmod(dest, 0o600)
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
        dst = sqlite3.connect(dest)
        try:
            # Small steps so writers are blocked only for a moment at a time.
            src.backup(dst, pages=256, sleep=0.005)
            pages = dst.execute("PRAGMA page_count").fetchone()[0]
            dst.execute("PRAGMA journal_mode=DELETE")
            result = dst.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dst.close()
            src.close()
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(f"Не удалось сделать резервную копию в «{dest}»: {exc}.") from exc
    return BackupResult(dest, pages, result)
