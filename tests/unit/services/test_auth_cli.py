"""Sign-in rules, the user CLI, backup and the CLI's refusal of bad stores."""

from __future__ import annotations

import hashlib
import sqlite3
import sys
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


@pytest.fixture
def clock_and_sleeps(monkeypatch):
    """Wall time the throttle reads, advanced by every wait it asks for (no real sleeping in tests)."""
    now = [1_000_000.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(round(seconds, 3))
        now[0] += seconds

    monkeypatch.setattr(auth, "_wall", lambda: now[0])
    monkeypatch.setattr(auth, "_sleep", sleep)
    return now, waits


def test_failures_slow_the_login_down_instead_of_locking_it(staff, clock_and_sleeps):
    now, waits = clock_and_sleeps
    for _ in range(6):
        with pytest.raises(auth.AuthError, match="^Неверный логин или пароль.$"):
            auth.sign_in("spec", "wrong-one")
    # free tries, then 1, 2, 4 seconds before each further answer (NIST SP 800-63B throttling)
    assert waits == [1.0, 2.0, 4.0]
    # the right password still signs in (after the growing wait), and resets the counter: no lock-out
    actor = auth.sign_in("spec", PASSWORD)
    assert actor.login == "spec" and waits[-1] == 8.0
    now[0] += 1000
    waits.clear()
    auth.sign_in("spec", PASSWORD)
    assert waits == []
    assert m.AuditLog.select().where(m.AuditLog.action == "login_failed").count() == 6


def test_unknown_locked_and_wrong_answers_look_the_same(staff, clock_and_sleeps, monkeypatch):
    _, waits = clock_and_sleeps
    hashed = []
    real = auth.verify_password
    monkeypatch.setattr(auth, "verify_password", lambda p, e: hashed.append(1) or real(p, e))
    answers = []
    for login in ("spec", "nobody"):
        for _ in range(4):
            with pytest.raises(auth.AuthError) as refused:
                auth.sign_in(login, "wrong-one")
            answers.append(str(refused.value))
    assert set(answers) == {"Неверный логин или пароль."}
    assert len(hashed) == 8  # the password hash runs for an unknown login too
    assert waits == [1.0, 1.0]  # an unknown login is throttled exactly like a real one


def test_typed_login_is_never_stored(staff, clock_and_sleeps):
    with pytest.raises(auth.AuthError):
        auth.sign_in("secret123-typed-into-login", "x")
    with pytest.raises(auth.AuthError):
        auth.sign_in("spec", "wrong-one")
    rows = list(m.AuditLog.select().where(m.AuditLog.action == "login_failed").order_by(m.AuditLog.id))
    assert rows[0].record_id is None and "неизвестный логин" in rows[0].changes
    assert rows[1].record_id == staff["spec"] and rows[1].changes == "{}"
    dump = "".join(r.changes for r in m.AuditLog.select()) + "".join(t.key for t in m.SignInThrottle.select())
    assert "secret123-typed-into-login" not in dump and "wrong-one" not in dump


def test_override_dialog_failures_never_slow_the_heads_sign_in(staff, clock_and_sleeps):
    _, waits = clock_and_sleeps
    for _ in range(6):
        assert auth.verify_head_approval("head", "guess") is None
    assert waits  # the override dialog itself is throttled
    waits.clear()
    assert auth.sign_in("head", PASSWORD).login == "head"
    assert waits == []
    assert auth.verify_head_approval("head", PASSWORD) is not None
    assert auth.verify_head_approval("spec", PASSWORD) is None  # a specialist cannot approve


def test_disabled_account_cannot_sign_in(staff):
    auth.set_active("other", False)
    with pytest.raises(auth.AuthError):
        auth.sign_in("other", PASSWORD)
    auth.set_active("other", True)
    assert auth.sign_in("other", PASSWORD).department_name.startswith("Отделение социального")


def test_the_password_hash_never_holds_the_writers_lock(staff, monkeypatch):
    """scrypt takes about 0.1 s: run inside a write transaction, every sign-in, screen unlock and head's approval
    held every other writer of the centre for that long."""
    from soptui.db import connection

    inside: list[bool] = []
    real = auth.verify_password

    def watched(password: str, expected: str) -> bool:
        inside.append(db.in_transaction() or connection._HELD.get() is not None)
        return real(password, expected)

    real_hash = auth.hash_password

    def watched_hash(password: str) -> str:
        inside.append(db.in_transaction() or connection._HELD.get() is not None)
        return real_hash(password)

    monkeypatch.setattr(auth, "verify_password", watched)
    monkeypatch.setattr(auth, "hash_password", watched_hash)
    assert auth.sign_in("spec", PASSWORD).login == "spec"
    with pytest.raises(auth.AuthError):
        auth.sign_in("spec", "wrong-one")
    with pytest.raises(auth.AuthError):
        auth.sign_in("nobody", "wrong-one")
    assert auth.verify_head_approval("head", PASSWORD) is not None
    assert auth.check_password(staff["spec"], PASSWORD)
    assert len(inside) == 5
    # and where a password is set: the CLI's user add and password, the administrator's staff form
    from soptui.services import staff as staff_service

    auth.add_user("newcomer", PASSWORD, "Орлова", "Вера")
    auth.set_password("newcomer", "другой-пароль-1")
    admin = auth.actor_for(m.Staff.get_by_id(staff["admin"]))
    card = staff_service.StaffData("Белова", "Нина", "", "belova", "psychologist", "specialist")
    new_id, _ = staff_service.save_staff(card, password="secret12", actor=admin)
    staff_service.reset_password(new_id, None, admin)
    assert inside == [False] * 9


def test_a_password_changed_while_the_hash_ran_counts(staff, monkeypatch):
    """The account is read again in the write transaction: a new password or a disabled account set while the
    old password was being checked refuses the sign-in, as if the change had come first."""
    real = auth.verify_password

    def then_changed(password: str, expected: str) -> bool:
        answer = real(password, expected)
        auth.set_password("spec", "совсем-другой-1")
        return answer

    monkeypatch.setattr(auth, "verify_password", then_changed)
    with pytest.raises(auth.AuthError):
        auth.sign_in("spec", PASSWORD)

    def then_disabled(password: str, expected: str) -> bool:
        answer = real(password, expected)
        auth.set_active("other", False)
        return answer

    monkeypatch.setattr(auth, "verify_password", then_disabled)
    with pytest.raises(auth.AuthError):
        auth.sign_in("other", PASSWORD)
    failed = list(m.AuditLog.select().where(m.AuditLog.action == "login_failed").order_by(m.AuditLog.id))
    assert [r.record_id for r in failed] == [staff["spec"], None]  # a disabled account is recorded as unknown


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


ADMIN = ["--admin", "boss", "--admin-password-stdin"]


def _first_admin(tmp_path, monkeypatch):
    """The one command allowed without signing in: the first administrator of an empty store (made on purpose,
    with --create: without it a mistyped --db is refused, test_a_mistyped_store_is_refused_not_made)."""
    args = ["user", "add", "boss", "--last", "Смирнова", "--first", "Ольга", "--role", "admin", "--position", "admin"]
    assert _cli(["--create", *args], tmp_path, "bosspass1\n", monkeypatch) == 0


def test_a_mistyped_store_is_refused_not_made(tmp_path, monkeypatch, capsys):
    """`--db centre.db` for `centr.db` made a new empty store beside the real one (only a missing folder was
    refused): every command and the app now refuse a store that is not there, unless --create."""
    for args in (["user", "list"], ["institution"], ["audit", "verify"]):
        assert _cli(args, tmp_path, "", monkeypatch) == 2
        err = capsys.readouterr().err
        assert f"Базы данных «{tmp_path / 'cli.db'}» нет" in err and "--create" in err
    assert not list(tmp_path.glob("cli.db*"))


def test_user_cli(tmp_path, monkeypatch, capsys):
    _first_admin(tmp_path, monkeypatch)
    add = ["user", "add", "petrova", "--last", "Петрова", "--first", "Елена", "--patronymic", "Александровна"]
    add += ["--position", "psychologist", "--department", "ОРДИ"]
    # a department nobody set up is a typo until said otherwise: refused, naming what there is
    assert _cli([*ADMIN, *add], tmp_path, "bosspass1\nsecret12\n", monkeypatch) == 2
    err = capsys.readouterr().err
    assert "Отделения «ОРДИ» нет" in err and "--new-department" in err
    # the administrator's password first, then the new person's
    assert _cli([*ADMIN, *add, "--new-department"], tmp_path, "bosspass1\nsecret12\n", monkeypatch) == 0
    # the next one of that department needs no flag, and a typo of it makes nothing
    more = ["user", "add", "orlova", "--last", "Орлова", "--first", "Вера", "--department", "  орди "]
    assert _cli([*ADMIN, *more], tmp_path, "bosspass1\nsecret12\n", monkeypatch) == 0
    typo = ["user", "add", "sidorova", "--last", "Сидорова", "--first", "Анна", "--department", "ОРДИИ"]
    assert _cli([*ADMIN, *typo], tmp_path, "bosspass1\nsecret12\n", monkeypatch) == 2
    assert "Заведённые отделения: ОРДИ." in capsys.readouterr().err
    assert _cli([*ADMIN, "user", "list"], tmp_path, "bosspass1\n", monkeypatch) == 0
    out = capsys.readouterr().out
    assert "petrova" in out and "Петрова Елена Александровна" in out and "психолог" in out
    assert (
        _cli([*ADMIN, "user", "add", "x", "--last", "Х", "--first", "Х"], tmp_path, "bosspass1\n123\n", monkeypatch)
        == 2
    )
    assert "не короче" in capsys.readouterr().err
    assert _cli([*ADMIN, "user", "passwd", "petrova"], tmp_path, "bosspass1\nanother1\n", monkeypatch) == 0
    assert _cli([*ADMIN, "user", "disable", "petrova"], tmp_path, "bosspass1\n", monkeypatch) == 0
    assert _cli([*ADMIN, "user", "list"], tmp_path, "bosspass1\n", monkeypatch) == 0
    assert "(отключён)" in capsys.readouterr().out


def test_management_commands_need_an_administrator(tmp_path, monkeypatch, capsys):
    _first_admin(tmp_path, monkeypatch)
    capsys.readouterr()
    # nobody signed in: refused, nothing changed
    assert _cli(["user", "passwd", "boss"], tmp_path, "hacked123\n", monkeypatch) == 2
    assert "--admin" in capsys.readouterr().err
    # a wrong administrator password: the sign-in refusal, nothing changed
    assert (
        _cli(
            [*ADMIN, "user", "add", "x", "--last", "Х", "--first", "Х", "--role", "admin"],
            tmp_path,
            "wrong\nsecret12\n",
            monkeypatch,
        )
        == 2
    )
    assert "Неверный логин или пароль." in capsys.readouterr().err
    # a specialist is not an administrator
    assert (
        _cli(
            [*ADMIN, "user", "add", "spec", "--last", "Иванова", "--first", "Марина"],
            tmp_path,
            "bosspass1\nsecret12\n",
            monkeypatch,
        )
        == 0
    )
    spec = ["--admin", "spec", "--admin-password-stdin"]
    for args in (["institution", "--short", "X"], ["calendar", "confirm", "2027", "X"], ["user", "list"]):
        assert _cli([*spec, *args], tmp_path, "secret12\n", monkeypatch) == 2
        assert "только администратору" in capsys.readouterr().err
    # the audit names who ran each command, never the values
    assert _cli([*ADMIN, "audit", "verify"], tmp_path, "bosspass1\n", monkeypatch) == 0
    assert "цепочка не нарушена" in capsys.readouterr().out
    from soptui.db import models as m
    from soptui.services.store import open_store

    open_store(tmp_path / "cli.db")
    try:
        boss = m.Staff.get(m.Staff.login == "boss")
        cli_rows = list(m.AuditLog.select().where(m.AuditLog.action == "cli"))
        assert {r.staff_id for r in cli_rows} == {boss.id}
        assert any("user add" in r.changes for r in cli_rows)
        assert not any("secret12" in r.changes or "bosspass1" in r.changes for r in m.AuditLog.select())
        created = m.AuditLog.get(
            (m.AuditLog.action == "create")
            & (m.AuditLog.table == "staff")
            & (m.AuditLog.record_id == m.Staff.get(m.Staff.login == "spec").id)
        )
        assert created.staff_id == boss.id
    finally:
        db.obj.close()
        db.initialize(None)


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


def test_institution_settings_cli(tmp_path, capsys, monkeypatch):
    _first_admin(tmp_path, monkeypatch)
    args = ["institution", "--short", "КЦСОН Берёзовский", "--idle-minutes", "15", "--hours", "08:30-17:30"]
    assert _cli([*ADMIN, *args], tmp_path, "bosspass1\n", monkeypatch) == 0
    out = capsys.readouterr().out
    assert "Кратко: КЦСОН Берёзовский" in out and "через 15 мин" in out and "08:30-17:30" in out
    assert _cli([*ADMIN, "institution", "--hours", "18:00-09:00"], tmp_path, "bosspass1\n", monkeypatch) == 2
    assert "позже начала" in capsys.readouterr().err
    assert _cli([*ADMIN, "institution", "--timezone", "Марс/Олимп"], tmp_path, "bosspass1\n", monkeypatch) == 2
    assert "Неизвестный часовой пояс" in capsys.readouterr().err
    assert _cli([*ADMIN, "institution", "--print-command", "lp -d ПРИНТЕР"], tmp_path, "bosspass1\n", monkeypatch) == 0
    assert "Команда печати: lp -d ПРИНТЕР" in capsys.readouterr().out
    assert _cli([*ADMIN, "institution", "--print-command", "lp; rm x"], tmp_path, "bosspass1\n", monkeypatch) == 2
    assert "Команда печати — одна программа" in capsys.readouterr().err
    # the signed-in person's idle lock follows the setting
    from soptui.services.store import open_store

    open_store(tmp_path / "cli.db")
    try:
        auth.add_user("ivanova", "secret12", "Иванова", "Марина")
        assert auth.sign_in("ivanova", "secret12").idle_lock_minutes == 15
    finally:
        db.obj.close()
        db.initialize(None)


def test_production_scrypt_cost_is_the_default():
    """The suite lowers the scrypt cost (conftest); the program itself hashes at the production cost."""
    import subprocess
    import sys

    code = "from soptui.services import auth; print(auth.hash_password('x').split('$')[:4])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['scrypt', '16384', '8', '1']"


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path, monkeypatch):
    """`soptui user list | head -1` ended with a BrokenPipeError traceback."""
    import subprocess

    _first_admin(tmp_path, monkeypatch)
    from soptui.services.store import open_store

    open_store(tmp_path / "cli.db")
    from soptui.services import access

    try:
        with access.acting_as(access.centre_actor(None)):
            for i in range(300):
                auth.add_user(f"user{i}", PASSWORD, "Сотрудникова", "Анна", "", "psychologist", "specialist", "ОРДИ")
    finally:
        db.obj.close()
        db.initialize(None)
    cmd = [sys.executable, "-m", "soptui", "--db", str(tmp_path / "cli.db"), *ADMIN, "user", "list"]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdin.write(b"bosspass1\n")
    proc.stdin.close()
    first = proc.stdout.readline()  # like `head -1`: one line, then the reader goes away
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert first.strip()
    assert "Traceback" not in err and "BrokenPipe" not in err
