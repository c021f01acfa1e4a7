"""Sign-in rules, the user CLI, backup and the CLI's refusal of bad stores."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import threading

import pytest

from soptui.__main__ import main
from soptui.db import models as m
from soptui.db.connection import db
from soptui.services import auth
from soptui.services.backup import backup_sqlite

from conftest import PASSWORD


def test_password_hash_is_scrypt_and_salted():
    a, b = auth.hash_password("пароль123"), auth.hash_password("пароль123")
    assert a.startswith("scrypt$") and a != b
    assert auth.verify_password("пароль123", a)
    assert not auth.verify_password("пароль124", a)


def test_wrong_password_and_unknown_login_say_the_same(staff):
    with pytest.raises(auth.AuthError) as wrong_pw:
        auth.sign_in("spec", "nope-nope")
    with pytest.raises(auth.AuthError) as unknown:
        auth.sign_in("nobody", "nope-nope")
    assert str(wrong_pw.value) == str(unknown.value) == "Неверный логин или пароль."


def test_lockout_after_five_failures(staff):
    now = dt.datetime(2026, 11, 25, 10, 0)
    for _ in range(4):
        with pytest.raises(auth.AuthError, match="Неверный"):
            auth.sign_in("spec", "wrong-one", now=now)
    with pytest.raises(auth.AuthError, match="заблокирован до 10:05"):
        auth.sign_in("spec", "wrong-one", now=now)
    # even the right password is refused while locked
    with pytest.raises(auth.AuthError, match="заблокирован"):
        auth.sign_in("spec", PASSWORD, now=now + dt.timedelta(minutes=4))
    actor = auth.sign_in("spec", PASSWORD, now=now + dt.timedelta(minutes=6))
    assert actor.login == "spec" and actor.role == "specialist"
    assert m.AuditLog.select().where(m.AuditLog.action == "login_failed").count() == 5


def test_disabled_account_cannot_sign_in(staff):
    auth.set_active("other", False)
    with pytest.raises(auth.AuthError):
        auth.sign_in("other", PASSWORD)
    auth.set_active("other", True)
    assert auth.sign_in("other", PASSWORD).department_name.startswith("Отделение социального")


def _cli(args, tmp_path, stdin_text=None, monkeypatch=None):
    if stdin_text is not None:
        import io

        monkeypatch.setattr("sys.stdin", io.StringIO(stdin_text))
    try:
        return main(["--db", str(tmp_path / "cli.db"), *args])
    finally:
        if db.obj is not None:
            db.obj.close()
        db.initialize(None)


def test_user_cli(tmp_path, monkeypatch, capsys):
    assert (
        _cli(
            [
                "user",
                "add",
                "petrova",
                "--last",
                "Петрова",
                "--first",
                "Елена",
                "--patronymic",
                "Александровна",
                "--position",
                "psychologist",
                "--department",
                "ОРДИ",
            ],
            tmp_path,
            "secret12\n",
            monkeypatch,
        )
        == 0
    )
    assert _cli(["user", "list"], tmp_path) == 0
    out = capsys.readouterr().out
    assert "petrova" in out and "Петрова Елена Александровна" in out and "психолог" in out
    assert _cli(["user", "add", "x", "--last", "Х", "--first", "Х"], tmp_path, "123\n", monkeypatch) == 2
    assert "не короче" in capsys.readouterr().err
    assert _cli(["user", "passwd", "petrova"], tmp_path, "another1\n", monkeypatch) == 0
    assert _cli(["user", "disable", "petrova"], tmp_path) == 0
    assert _cli(["user", "list"], tmp_path) == 0
    assert "(отключён)" in capsys.readouterr().out


def test_cli_refuses_a_file_that_is_not_a_database(tmp_path, capsys):
    bad = tmp_path / "report.docx"
    bad.write_bytes(b"PK\x03\x04 not sqlite at all" * 50)
    digest = hashlib.sha256(bad.read_bytes()).hexdigest()
    assert main(["--db", str(bad), "user", "list"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"Файл «{bad}» не является базой данных soptui (SQLite)."
    assert hashlib.sha256(bad.read_bytes()).hexdigest() == digest


def test_cli_refuses_unknown_scheme(capsys):
    assert main(["--db", "oracle://x/y", "user", "list"]) == 2
    assert "Неизвестный тип базы данных" in capsys.readouterr().err


def test_backup_while_another_connection_writes(tmp_path, capsys):
    from soptui.services.store import open_store

    path = tmp_path / "live.db"
    open_store(path)
    for i in range(300):
        m.Department.create(name=f"Отделение {i}")
    db.obj.close()
    db.initialize(None)

    stop = threading.Event()

    def writer():
        con = sqlite3.connect(path, timeout=10)
        i = 0
        while not stop.is_set():
            con.execute(
                "INSERT INTO department (name, short_name, phone, working_hours, version, "
                "created_at, updated_at) VALUES (?, '', '', '', 1, '2026-11-25', '2026-11-25')",
                (f"Новое {i}",),
            )
            con.commit()
            i += 1
        con.close()

    t = threading.Thread(target=writer)
    t.start()
    try:
        result = backup_sqlite(path, tmp_path / "copies")
    finally:
        stop.set()
        t.join()
    assert result.integrity == "ok"
    copy = sqlite3.connect(result.path)
    assert copy.execute("SELECT count(*) FROM department").fetchone()[0] >= 300
    copy.close()
    assert main(["--db", str(path), "backup", str(tmp_path / "b2.db")]) == 0
    assert "проверка целостности: ok" in capsys.readouterr().out
    db.obj.close()
    db.initialize(None)


def test_institution_settings_cli(tmp_path, capsys):
    assert (
        _cli(
            ["institution", "--short", "КЦСОН Берёзовский", "--idle-minutes", "15", "--hours", "08:30-17:30"], tmp_path
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "Кратко: КЦСОН Берёзовский" in out and "через 15 мин" in out and "08:30-17:30" in out
    assert _cli(["institution", "--hours", "18:00-09:00"], tmp_path) == 2
    assert "позже начала" in capsys.readouterr().err
    assert _cli(["institution", "--timezone", "Марс/Олимп"], tmp_path) == 2
    assert "Неизвестный часовой пояс" in capsys.readouterr().err
    # the signed-in person's idle lock follows the setting
    from soptui.services.store import open_store

    open_store(tmp_path / "cli.db")
    try:
        auth.add_user("ivanova", "secret12", "Иванова", "Марина")
        assert auth.sign_in("ivanova", "secret12").idle_lock_minutes == 15
    finally:
        db.obj.close()
        db.initialize(None)
