"""soptui in a real pseudo-terminal, keys written as SSH delivers them: a whole form in one write().

The app runs as a user starts it (`python -m soptui --db FILE`) on a copy of the demo store, in a pty
of 120x40. Keys are bytes a terminal sends (Tab, Enter, arrows, F3, Ctrl keys) in one `os.write`, the
way several keys arrive in one SSH packet. What counts is what the database holds afterwards.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import threading
import time

import pytest

pytestmark = [
    pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal"),
    pytest.mark.sqlite_only,  # the app in the terminal opens a copy of the demo file and the test reads it back
]

TAB, ENTER, DOWN, F3 = "\t", "\r", "\x1b[B", "\x1bOR"
CTRL_R, CTRL_S = "\x12", "\x13"
SIGN_IN = "ivanova" + TAB + "demo2026" + ENTER
REFERRAL = (
    F3 + CTRL_R + "Петухова" + TAB + "Анна" + TAB + TAB + TAB + TAB + "89120001122" + TAB + "ул. Мира, 1"
)  # surname, name, (patronymic, birth date, category), phone, address


class Terminal:
    def __init__(self, db_path, home, program: list[str] | None = None) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "XDG_DATA_HOME": str(home), "COLUMNS": "120", "LINES": "40"}
        env.pop("SOPTUI_DATABASE", None)
        self.proc = subprocess.Popen(
            [sys.executable, *(program or ["-m", "soptui"]), "--db", str(db_path)],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        self.master = master
        self.output = bytearray()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        master = self.master  # a test may close it (and set None): the read then ends with EBADF
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.output.extend(chunk)

    def text(self) -> str:
        return self.output.decode("utf-8", "replace")

    def wait_for(self, what: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while what not in self.text():
            assert self.proc.poll() is None, f"soptui ended ({self.proc.returncode}) before showing {what!r}"
            assert time.monotonic() < deadline, f"{what!r} not shown in {timeout} s"
            time.sleep(0.05)

    def write(self, keys: str) -> None:
        os.write(self.master, keys.encode("utf-8"))  # one write: the keys arrive together

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        if self.master is not None:
            os.close(self.master)


@pytest.fixture
def terminal(demo_template, tmp_path):
    from soptui.db.connection import db

    src, _ctx = demo_template
    path = tmp_path / "store.db"
    with sqlite3.connect(src) as a, sqlite3.connect(path) as b:
        a.backup(b)
    os.chmod(path, 0o600)
    assert db.obj is None or db.database != str(path)
    term = Terminal(path, tmp_path / "home")
    term.path = path
    yield term
    term.close()


def _query(path, sql, *args):
    with sqlite3.connect(path, timeout=10) as conn:
        return conn.execute(sql, args).fetchall()


def _until(cond, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while True:
        result = cond()
        if result:
            return result
        assert time.monotonic() < deadline, f"{what} not reached in {timeout} s"
        time.sleep(0.1)


def test_a_whole_referral_typed_in_one_write_is_stored_field_by_field(terminal):
    terminal.wait_for("вход")
    # sign-in, the registry, the referral form, every field, the «основание» list, save: one packet
    terminal.write(
        SIGN_IN
        + REFERRAL
        + TAB  # date of receipt (today)
        + TAB  # time (now)
        + TAB
        + ENTER
        + DOWN
        + ENTER  # «основание»: the list opens, the first ground is taken
        + TAB
        + "Мать"  # source
        + TAB
        + TAB
        + "Просит помощи"  # summary
        + CTRL_S
    )
    rows = _until(
        lambda: _query(
            terminal.path,
            "SELECT c.last_name, c.first_name, c.address, r.source_body, r.summary, r.ground FROM referral r "
            "JOIN client c ON c.id = r.client_id WHERE c.last_name = 'Петухова'",
        ),
        "the referral stored",
    )
    assert rows == [("Петухова", "Анна", "ул. Мира, 1", "Мать", "Просит помощи", rows[0][5])] and rows[0][5]
    phones = _query(
        terminal.path,
        "SELECT p.value FROM contact_point p JOIN client c ON c.id = p.client_id WHERE c.last_name = 'Петухова'",
    )
    assert phones == [("+79120001122",)]


def test_the_terminal_says_soptui_is_starting_at_once_and_is_left_clean(terminal):
    """A line before Python loads Textual (a blank terminal for seconds on a busy host looked hung), taken
    back once soptui ends so that the shell's prompt returns on a clean line."""
    terminal.wait_for("вход")
    out = terminal.text()
    assert out.startswith("soptui: запуск…"), out[:80]
    assert out.index("soptui: запуск…") < out.index("\x1b[?1049h")  # before Textual takes the screen
    terminal.write("\x11")  # Ctrl+Q
    terminal.proc.wait(20)
    time.sleep(0.2)  # the reader thread takes the last bytes
    out = terminal.text()
    assert out.rindex("\r\x1b[2K") > out.rindex("\x1b[?1049l")  # cleared after the screen is given back


# soptui with Textual's shutdown stuck for good, as it was on a dead terminal (its output queue full, the thread
# that empties it gone): the process must still end after a hang-up
STUCK_SHUTDOWN = """
import sys, threading
import textual.drivers._writer_thread as writer
writer.WriterThread.stop = lambda self: threading.Event().wait()
from soptui.__main__ import main
sys.exit(main(sys.argv[1:]))
"""


def test_after_a_hangup_soptui_ends_even_when_textuals_shutdown_never_returns(demo_template, tmp_path):
    """Processes stayed behind for good after tmux closed their window: Textual's shutdown waited on a dead
    terminal. The drafts are written first; the process then ends within the grace (HANG_UP_GRACE_S, 5 s)."""
    src, _ctx = demo_template
    path = tmp_path / "store.db"
    with sqlite3.connect(src) as a, sqlite3.connect(path) as b:
        a.backup(b)
    term = Terminal(path, tmp_path / "home", program=["-c", STUCK_SHUTDOWN])
    try:
        term.wait_for("вход")
        term.write(SIGN_IN + REFERRAL)
        term.wait_for("Мира, 1")
        term.proc.send_signal(signal.SIGHUP)
        began = time.monotonic()
        term.proc.wait(30)  # raises TimeoutExpired when it keeps running
        assert term.proc.returncode == 1
        assert time.monotonic() - began < 15
        drafts = _query(path, "SELECT payload FROM draft WHERE key LIKE 'referral:%'")
        assert len(drafts) == 1 and json.loads(drafts[0][0])["values"]["rf-address"] == "ул. Мира, 1"
    finally:
        term.close()


def test_a_refusal_at_start_is_printed_on_a_clean_line(demo_template, tmp_path):
    """A damaged store found while the sign-in screen is up: soptui ends and says so; the message was printed
    right after «soptui: запуск…» on the same line."""
    src, _ctx = demo_template
    path = tmp_path / "store.db"
    with sqlite3.connect(src) as a, sqlite3.connect(path) as b:
        a.backup(b)
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.seek(size // 2)
        f.write(b"\xff" * 8192)
    term = Terminal(path, tmp_path / "home")
    try:
        term.proc.wait(60)
        time.sleep(0.2)
        out = term.text()
        assert "повреждена" in out, out[-300:]
        assert out.index("\r\x1b[2K") < out.index("повреждена")
        assert "запуск…База" not in out
    finally:
        term.close()


def test_a_terminal_closed_without_a_hangup_signal_ends_soptui_with_the_draft_kept(terminal):
    """The terminal's other side closes and no SIGHUP comes (the pty's master closed, as a dead SSH session or
    terminal window may leave it). Textual alone never noticed: its input thread read nothing at a full core,
    forever, and the typed referral was not saved; soptui now sees the terminal gone within a second."""
    terminal.wait_for("вход")
    terminal.write(SIGN_IN + REFERRAL)
    terminal.wait_for("Мира, 1")
    os.close(terminal.master)
    terminal.master = None
    terminal.proc.wait(20)  # raises TimeoutExpired when it keeps running
    assert terminal.proc.returncode == 1
    drafts = _query(terminal.path, "SELECT payload FROM draft WHERE key LIKE 'referral:%'")
    assert len(drafts) == 1, drafts
    assert json.loads(drafts[0][0])["values"]["rf-address"] == "ул. Мира, 1"


def test_a_dropped_connection_keeps_what_was_typed_up_to_the_last_key(terminal):
    terminal.wait_for("вход")
    terminal.write(SIGN_IN + REFERRAL)
    terminal.wait_for("Мира, 1")  # drawn: the app has the last key
    terminal.proc.send_signal(signal.SIGHUP)  # the SSH connection drops
    terminal.proc.wait(20)
    assert terminal.proc.returncode != -signal.SIGHUP  # soptui caught it, wrote the drafts and ended itself
    drafts = _query(terminal.path, "SELECT key, payload FROM draft WHERE key LIKE 'referral:%'")
    assert len(drafts) == 1, drafts
    values = json.loads(drafts[0][1])["values"]
    assert (values["rf-last"], values["rf-first"], values["rf-phone"], values["rf-address"]) == (
        "Петухова",
        "Анна",
        "89120001122",
        "ул. Мира, 1",
    ), values
