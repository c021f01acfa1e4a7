"""The command line as a Unix tool in Russian (issue 15, point 8): `--help` of every command in Russian,
argparse's own words included; Ctrl+C and a closed pipe end a command quietly (the pipe: test_auth_cli.py)."""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from soptui.__main__ import _parser, main

ROOT = Path(__file__).resolve().parents[2]

# Latin words the help may hold besides the parser's own names (commands, options, choices): names of
# programs, formats and standards, and the values an option takes (positions and roles as typed).
TECHNICAL = {
    "soptui", "SQLite", "sqlite", "PostgreSQL", "postgresql", "URL", "pg_dump", "db", "dump", "PDF",
    "SOPTUI_ADMIN", "lp", "d", "Asia", "Yekaterinburg", "Documents", "textual", "serve", "README", "TLS",
    "https", "sop", "example", "ru", "N",
    "social_work_specialist", "social_worker", "psychologist", "social_pedagogue", "nurse",
    "specialist", "head", "admin",
}  # fmt: skip


def commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """Every command path and its parser, the top level first."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from commands(child, (*path, name))


def parser_words(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> set[str]:
    words = {w for name in path for w in name.split("-")}
    for action in parser._actions:
        for option in action.option_strings:
            words.update(option.lstrip("-").split("-"))
        if action.choices and not isinstance(action, argparse._SubParsersAction):
            words.update(str(c) for c in action.choices)
        if isinstance(action, argparse._SubParsersAction):
            words.update(w for name in action.choices for w in name.split("-"))
    return words


ALL = list(commands(_parser()))
NAMES = set().union(*(parser_words(parser, path) for path, parser in ALL))  # the CLI's own names, choices


def help_of(path: tuple[str, ...], capsys) -> str:
    with pytest.raises(SystemExit) as stop:
        main([*path, "--help"])
    assert stop.value.code == 0
    return capsys.readouterr().out


def test_every_command_is_walked():
    names = {" ".join(path) for path, _ in ALL}
    assert {"", "user", "user add", "user list", "audit verify", "backup", "serve", "calendar confirm"} <= names
    assert len(names) >= 17


@pytest.mark.parametrize("path", [path for path, _ in ALL], ids=lambda p: " ".join(p) or "soptui")
def test_help_is_in_russian(path, capsys):
    text = help_of(path, capsys)
    assert text.startswith("использование: soptui")
    assert "показать эту справку и выйти" in text
    allowed = TECHNICAL | NAMES
    latin = sorted({w for w in re.findall(r"[A-Za-z][A-Za-z0-9_]*", text)} - allowed)
    assert latin == [], f"Latin words in `soptui {' '.join(path)} --help`: {latin}\n{text}"
    assert re.search("[а-яё]{4,}", text.split("\n", 2)[-1])  # a description or option help in Russian


@pytest.mark.parametrize(
    "argv, said",
    [
        (["--bogus"], "неизвестные аргументы: --bogus"),
        (["user", "add"], "не указаны обязательные аргументы: ЛОГИН, --last, --first"),
        (["calendar", "set", "01.01.2027", "x"], "аргумент ВИД: недопустимое значение 'x'"),
        (["institution", "--idle-minutes", "abc"], "аргумент --idle-minutes: недопустимое значение: 'abc'"),
        (["frobnicate"], "аргумент КОМАНДА: недопустимое значение 'frobnicate'"),
        (["serve", "--port"], "аргумент --port: нужно одно значение"),
    ],
)
def test_usage_errors_are_in_russian(argv, said, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "использование: soptui" in err and ": ошибка: " in err
    assert said in err, err
    assert "usage" not in err and "error" not in err and "invalid" not in err


def test_other_argparse_users_stay_in_english():
    """The Russian words are swapped in only while soptui's parser works: pytest's own argparse is untouched."""
    _parser().format_help()
    assert "usage: " in argparse.ArgumentParser(prog="x").format_help()


def _env(tmp_path) -> dict[str, str]:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path)}
    env.pop("SOPTUI_DATABASE", None)
    return env


def _first_admin(db: str, tmp_path) -> None:
    """The store's first administrator, made by the CLI in a process of its own (this one opens no store)."""
    add = [sys.executable, "-m", "soptui", "--db", db, "--create", "user", "add", "boss", "--last", "Начальникова",
           "--first", "Анна", "--role", "admin", "--password-stdin"]  # fmt: skip
    subprocess.run(add, input="bosspass1\n", text=True, env=_env(tmp_path), cwd=ROOT, check=True, capture_output=True)


def _ctrl_c_as_in_a_terminal() -> None:
    """Popen's preexec_fn: Ctrl+C's default action in the child, as in a terminal. A suite started as a background
    job (`./.ci/run &` in a script) ignores SIGINT, the children inherit that, and Python then installs no
    KeyboardInterrupt at all: the command read on and failed with exit code 2 (seen twice)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _interrupt_when(proc: subprocess.Popen, ready, timeout: float = 60) -> tuple[int, str]:
    deadline = time.monotonic() + timeout
    while not ready():
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "the command never got going"
        time.sleep(0.2)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)  # what Ctrl+C in the terminal sends
    _out, err = proc.communicate(timeout=60)
    return proc.returncode, err


@pytest.mark.sqlite_only
def test_ctrl_c_while_a_command_waits_ends_it_without_a_traceback(tmp_path):
    """The first administrator's password is being read when Ctrl+C comes."""
    db = tmp_path / "cli.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "soptui", "--db", str(db), "--create", "user", "add", "boss",
         "--last", "Начальникова", "--first", "Анна", "--role", "admin", "--password-stdin"],
        cwd=ROOT, env=_env(tmp_path), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, preexec_fn=_ctrl_c_as_in_a_terminal,
    )  # fmt: skip
    code, err = _interrupt_when(proc, db.exists)
    assert code == 130, err
    assert "Прервано (Ctrl+C)." in err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err


@pytest.mark.sqlite_only
def test_ctrl_c_stops_the_web_server_quietly(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = str(tmp_path / "web.db")
    _first_admin(db, tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "soptui", "--db", db, "serve", "--port", str(port)],
        cwd=ROOT, env=_env(tmp_path), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, preexec_fn=_ctrl_c_as_in_a_terminal,
    )  # fmt: skip

    def listening() -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    code, err = _interrupt_when(proc, listening)
    assert code == 0, err
    assert "Traceback" not in err


def test_serve_on_another_address_warns_about_tls(tmp_path, capsys, monkeypatch):
    """Not 127.0.0.1: a Russian warning that a reverse proxy with TLS is needed (the server itself is not run)."""
    from soptui import web

    served = []
    monkeypatch.setattr(web, "cannot_listen", lambda host, port: "")
    monkeypatch.setattr(web, "serve", lambda *args: served.append(args))
    monkeypatch.delenv("SOPTUI_DATABASE", raising=False)
    db = str(tmp_path / "w.db")
    assert main(["--db", db, "--create", "serve"]) == 2  # no staff yet: the first visitor would become admin
    assert "сначала создайте администратора" in capsys.readouterr().err and served == []
    _first_admin(db, tmp_path)
    assert main(["--db", db, "serve", "--host", "0.0.0.0", "--port", "8443"]) == 0
    err = capsys.readouterr().err
    assert "обратный прокси с TLS" in err and "0.0.0.0" in err
    assert served == [(db, False, "0.0.0.0", 8443, None)]
    assert main(["--db", db, "serve"]) == 0
    assert "TLS" not in capsys.readouterr().err
    assert served[-1] == (db, False, "127.0.0.1", 8000, None)
