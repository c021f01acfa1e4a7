"""Command line: run the app, manage users, back up the store."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

EXIT_USAGE = 2
SERVE_HOST = "127.0.0.1"  # soptui.web's defaults, here for --help without importing textual-serve
SERVE_PORT = 8000


def _parser() -> argparse.ArgumentParser:
    from soptui.core.argparse_ru import RussianParser, describe_commands

    p = RussianParser(prog="soptui", description="soptui: СОП центра социального обслуживания")
    p.add_argument("--db", metavar="БАЗА", help="путь к файлу SQLite или URL базы (sqlite:///…, postgresql://…)")
    p.add_argument("--demo", action="store_true", help="открыть демонстрационную базу (создаётся при первом запуске)")
    p.add_argument(
        "--create",
        action="store_true",
        help="создать папку и новую пустую базу, если их нет (без этого несуществующая папка — ошибка)",
    )
    p.add_argument(
        "--admin",
        default=os.environ.get("SOPTUI_ADMIN"),
        metavar="ЛОГИН",
        help="логин администратора для команд user, institution, calendar, audit (или SOPTUI_ADMIN)",
    )
    p.add_argument(
        "--admin-password-stdin",
        action="store_true",
        help="прочитать пароль администратора из первой строки стандартного ввода (для сценариев)",
    )
    sub = p.add_subparsers(dest="command", title="команды", metavar="КОМАНДА")

    user = sub.add_parser("user", help="учётные записи сотрудников")
    usub = user.add_subparsers(dest="user_command", required=True, title="команды", metavar="КОМАНДА")
    add = usub.add_parser("add", help="добавить сотрудника")
    add.add_argument("login", metavar="ЛОГИН", help="логин для входа")
    add.add_argument("--last", required=True, metavar="ФАМИЛИЯ", help="фамилия")
    add.add_argument("--first", required=True, metavar="ИМЯ", help="имя")
    add.add_argument("--patronymic", default="", metavar="ОТЧЕСТВО", help="отчество")
    add.add_argument(
        "--position",
        default="social_work_specialist",
        metavar="ДОЛЖНОСТЬ",
        help="должность: social_work_specialist, social_worker, psychologist, social_pedagogue, nurse, head, admin",
    )
    add.add_argument("--role", default="specialist", metavar="РОЛЬ", help="роль: specialist, head, admin")
    add.add_argument("--department", default=None, metavar="ОТДЕЛЕНИЕ", help="название отделения (уже заведённого)")
    add.add_argument(
        "--new-department",
        action="store_true",
        help="завести отделение --department, если его ещё нет (без этого неизвестное название — ошибка)",
    )
    add.add_argument("--password-stdin", action="store_true", help="прочитать пароль из стандартного ввода")
    usub.add_parser("list", help="список сотрудников")
    pw = usub.add_parser("passwd", help="сменить пароль")
    pw.add_argument("login", metavar="ЛОГИН", help="логин сотрудника")
    pw.add_argument("--password-stdin", action="store_true", help="прочитать пароль из стандартного ввода")
    dis = usub.add_parser("disable", help="отключить учётную запись")
    dis.add_argument("login", metavar="ЛОГИН", help="логин сотрудника")
    ena = usub.add_parser("enable", help="включить учётную запись")
    ena.add_argument("login", metavar="ЛОГИН", help="логин сотрудника")

    audit = sub.add_parser("audit", help="журнал аудита")
    asub = audit.add_subparsers(dest="audit_command", required=True, title="команды", metavar="КОМАНДА")
    asub.add_parser("verify", help="проверить цепочку записей журнала аудита и назвать первую нарушенную")

    backup = sub.add_parser(
        "backup", help="резервная копия базы (SQLite или pg_dump): проверяется до того, как заменит прежнюю"
    )
    backup.add_argument(
        "dest", metavar="КУДА", help="файл или папка для копии (в папке — копии с датой, 7 ежедневных и 4 недельных)"
    )

    restore = sub.add_parser(
        "restore", help="восстановить базу из копии: копия проверяется, текущая база сохраняется рядом"
    )
    restore.add_argument("file", metavar="ФАЙЛ", help="файл резервной копии (soptui-….db или .dump)")

    migrate = sub.add_parser("migrate-to", help="перенести базу SQLite в пустую базу PostgreSQL с проверкой")
    migrate.add_argument("url", metavar="URL", help="postgresql://пользователь@сервер/база (база должна быть пустой)")

    serve = sub.add_parser(
        "serve",
        help="открыть приложение в браузере: веб-сервер на этом компьютере (textual-serve), вход — как в терминале",
    )
    serve.add_argument(
        "--host",
        default=SERVE_HOST,
        metavar="АДРЕС",
        help=f"адрес, на котором слушать (по умолчанию {SERVE_HOST}: только этот компьютер; "
        "для сети — обратный прокси с TLS, см. README)",
    )
    serve.add_argument("--port", type=int, default=SERVE_PORT, metavar="ПОРТ", help=f"порт (по умолчанию {SERVE_PORT})")
    serve.add_argument(
        "--public-url",
        metavar="URL",
        help="адрес, по которому браузер видит сервер за прокси, например https://sop.example.ru",
    )
    # the same --db and --demo as before the command, for `soptui serve --demo` (not set: the global ones stand)
    serve.add_argument("--db", default=argparse.SUPPRESS, metavar="БАЗА", help="путь к файлу SQLite или URL базы")
    serve.add_argument("--demo", action="store_true", default=argparse.SUPPRESS, help="демонстрационная база")

    inst = sub.add_parser("institution", help="сведения об учреждении и настройки")
    inst.add_argument("--name", metavar="НАИМЕНОВАНИЕ", help="полное наименование с формой собственности")
    inst.add_argument("--short", metavar="КРАТКО", help="краткое наименование")
    inst.add_argument("--address", metavar="АДРЕС", help="адрес учреждения")
    inst.add_argument("--phone", metavar="ТЕЛЕФОН", help="телефон учреждения")
    inst.add_argument("--hours", metavar="С-ДО", help="рабочее время, например 09:00-18:00")
    inst.add_argument("--timezone", metavar="ПОЯС", help="часовой пояс, например Asia/Yekaterinburg")
    inst.add_argument("--idle-minutes", type=int, metavar="N", help="блокировка экрана после N минут бездействия")
    inst.add_argument(
        "--print-command",
        metavar="КОМАНДА",
        help="команда печати PDF, например «lp -d ПРИНТЕР» (пустая — только в папку)",
    )
    inst.add_argument("--output-dir", metavar="ПАПКА", help="папка для PDF и выгрузок (пустая — ~/Documents/soptui)")

    cal = sub.add_parser("calendar", help="производственный календарь")
    csub = cal.add_subparsers(dest="calendar_command", required=True, title="команды", metavar="КОМАНДА")
    cday = csub.add_parser("set", help="отметить день: holiday, working или short")
    cday.add_argument("date", metavar="ДАТА", help="день в виде ДД.ММ.ГГГГ")
    cday.add_argument(
        "kind",
        choices=["holiday", "working", "short"],
        metavar="ВИД",
        help="holiday — выходной, working — рабочий, short — сокращённый",
    )
    cday.add_argument(
        "--note", required=True, metavar="ОСНОВАНИЕ", help="постановление или приказ, по которому день перенесён"
    )
    cconf = csub.add_parser("confirm", help="подтвердить календарь года по постановлению")
    cconf.add_argument("year", type=int, metavar="ГОД", help="год календаря, например 2027")
    cconf.add_argument("decree", metavar="ПОСТАНОВЛЕНИЕ", help="реквизиты постановления")
    describe_commands(p)
    return p


def _read_password(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Пароль: ")
    if getpass.getpass("Пароль ещё раз: ") != first:
        raise SystemExit("Пароли не совпадают.")
    return first


def _fail(message: str) -> int:
    _unsay()  # «soptui: запуск…» is not left in front of the message
    print(message, file=sys.stderr)
    return EXIT_USAGE


ADMIN_COMMANDS = ("user", "institution", "calendar", "audit")


def _command_name(args: argparse.Namespace) -> str:
    sub = getattr(args, "user_command", None) or getattr(args, "calendar_command", None)
    sub = sub or getattr(args, "audit_command", None)
    return f"{args.command} {sub}" if sub else args.command


def _authenticate_admin(args: argparse.Namespace) -> str | None:
    """Sign the administrator in for a management command; None when done, else the refusal to print.

    Only the very first administrator of an empty store is created without signing in. The command
    is audited under the administrator's name, without the values given.
    """
    from soptui.core import session
    from soptui.db import store
    from soptui.db.connection import write_transaction
    from soptui.services import auth

    if not auth.has_users():
        if args.command == "user" and args.user_command == "add" and args.role == "admin":
            return None
        return "В базе ещё нет сотрудников: сначала создайте администратора (soptui user add ЛОГИН --role admin)."
    login = args.admin
    if not login:
        if not sys.stdin.isatty():
            return "Укажите администратора: --admin ЛОГИН (и --admin-password-stdin для пароля из ввода)."
        login = input("Логин администратора: ")
    if args.admin_password_stdin or not sys.stdin.isatty():
        if not args.admin_password_stdin:
            return "Пароль администратора: добавьте --admin-password-stdin и передайте его первой строкой ввода."
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Пароль администратора: ")
    try:
        actor = auth.sign_in(login, password)
    except auth.AuthError as exc:
        return str(exc)
    if actor.role != "admin":
        return "Эта команда доступна только администратору."
    session.set_actor(actor)
    with write_transaction():
        store.audit("cli", "", None, {"command": _command_name(args)})
    return None


EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command stopped with Ctrl+C


def main(argv: list[str] | None = None) -> int:
    """The `soptui` command. Ctrl+C ends any command with one Russian line, never a traceback."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("\nПрервано (Ctrl+C).", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - a fault of ours: one Russian sentence, the stack in the private log
        from soptui.core.errorlog import log_exception, user_message

        log_exception(exc, "cli")
        return _fail(user_message(exc, "выполнить команду"))


def _main(argv: list[str] | None) -> int:
    os.umask(0o077)  # everything soptui writes (store, backups, PDFs, logs) is the user's alone
    args = _parser().parse_args(argv)
    from soptui.core.storecheck import BUSY_HOOKS, BUSY_NOTICE, StoreError, default_db_path, precheck

    explicit = args.db or os.environ.get("SOPTUI_DATABASE")
    target = str(explicit or default_db_path(demo=args.demo))
    create = args.create or not explicit  # the default data folder is made on first run; a typed path is not
    if args.command is None:
        _say_starting()
        try:
            has_users = precheck(target, create)
        except StoreError as exc:
            return _fail(str(exc))
        try:
            return run_app(target, args.demo, build_demo_first=args.demo and not has_users)
        finally:
            _unsay()
    if args.command == "restore":
        return _restore_command(target, Path(args.file))
    if args.command == "serve":
        return serve_command(args, target, create)

    _quiet_on_closed_pipe()
    missing = _missing_source(args.command, target)
    if missing:
        return _fail(missing)
    from soptui.services.store import open_store

    BUSY_HOOKS.append(lambda attempt: print(BUSY_NOTICE, file=sys.stderr))
    try:
        database = open_store(target, create=create)
    except StoreError as exc:
        return _fail(str(exc))
    from soptui.core.storecheck import TIGHTENED

    for message in TIGHTENED:
        print(message, file=sys.stderr)
    try:
        return _dispatch(args, database)
    except StoreError as exc:  # busy past every retry, the server gone: one Russian sentence
        return _fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - the database's failures and our own faults alike
        from soptui.core.errorlog import log_exception, user_message

        log_exception(exc, f"cli {_command_name(args)}")
        return _fail(user_message(exc, "выполнить команду"))


def _missing_source(command: str, target: str) -> str:
    """backup and migrate-to copy a store that must already be there: opening a missing SQLite file would make
    an empty one, and its «backup» (or its copy into PostgreSQL) would then be taken for the real thing. With a
    mistyped --db in a nightly job the dated copies would rotate the good ones away. '' when it is there."""
    from soptui.core.storecheck import StoreError, sqlite_path

    if command not in ("backup", "migrate-to"):
        return ""
    try:
        path = sqlite_path(target)
    except StoreError:
        return ""  # said by open_store, as for any other command
    if path is None or path.exists():
        return ""
    what = "копировать" if command == "backup" else "переносить"
    return f"Базы данных «{path}» нет: {what} нечего (проверьте путь в --db или SOPTUI_DATABASE)."


def _dispatch(args: argparse.Namespace, database) -> int:
    if args.command in ADMIN_COMMANDS:
        refusal = _authenticate_admin(args)
        if refusal:
            return _fail(refusal)
    if args.command == "audit":
        return _audit_command()
    if args.command == "user":
        return _user_command(args)
    if args.command == "backup":
        return _backup_command(database, args.dest)
    if args.command == "migrate-to":
        return _migrate_command(database, args.url)
    if args.command == "calendar":
        return _calendar_command(args)
    return _institution_command(args)


def _quiet_on_closed_pipe() -> None:
    """`soptui user list | head -1`: a reader that stops early ends the command quietly, as for any Unix
    tool (Python's default turns it into a BrokenPipeError traceback)."""
    import signal

    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)


def serve_command(args: argparse.Namespace, target: str, create: bool) -> int:
    """`soptui serve`: the same app in a browser through textual-serve, one app process per browser tab.

    Each tab starts `python3 -m soptui --db TARGET` (with --demo for the demo store): it shows soptui's own
    sign-in screen, and PDFs it writes reach the browser as downloads (app.py, `deliver_binary`).
    """
    from soptui.core.storecheck import StoreError, precheck

    try:
        has_users = precheck(target, create)
    except StoreError as exc:
        return _fail(str(exc))
    if args.demo and not has_users:
        refusal = _build_demo_store(target)
        if refusal:
            return _fail(refusal)
    elif not has_users:  # whoever opened the page first would make themselves the administrator
        return _fail(
            "В базе ещё нет сотрудников: сначала создайте администратора в терминале "
            "(soptui user add ЛОГИН --role admin), затем запускайте soptui serve."
        )
    if not 0 < args.port < 65536:
        return _fail("Порт — число от 1 до 65535.")
    from soptui import web

    refusal = web.cannot_listen(args.host, args.port)
    if refusal:
        return _fail(f"Не удалось запустить веб-сервер на {args.host}:{args.port}: {refusal}.")
    if not web.is_loopback(args.host):
        print(
            f"Внимание: сервер слушает адрес {args.host}, и его видят другие компьютеры. Пароли и сведения о "
            "клиентах пойдут по сети открытым текстом: ставьте перед ним обратный прокси с TLS (HTTPS), "
            "например nginx (см. README, раздел «В браузере»), и укажите --public-url.",
            file=sys.stderr,
        )
    web.serve(target, args.demo, args.host, args.port, args.public_url)
    return 0


def _build_demo_store(target: str) -> str:
    """Fill an empty demo store (first --demo run); the refusal to print, or ''."""
    from soptui.core.storecheck import StoreError
    from soptui.demo import fill_demo_store
    from soptui.services import auth
    from soptui.services.store import open_store

    try:
        open_store(target)
    except StoreError as exc:
        return str(exc)
    if not auth.has_users():
        print("Создаю демонстрационную базу…", file=sys.stderr)
        fill_demo_store()
    return ""


STARTING = "soptui: запуск…"


_starting_shown = False


def _say_starting() -> None:
    """A line on the terminal before anything is imported, taken back when soptui ends.

    Python and Textual take a moment to load (seconds on a busy shared host or a slow link); without it the
    terminal stays blank meanwhile and the user cannot tell a slow start from a hung one. Only on a terminal:
    under `soptui serve` the output belongs to the browser's driver."""
    global _starting_shown
    if os.environ.get("TEXTUAL_DRIVER") or not sys.stderr.isatty():
        return
    sys.stderr.write(STARTING)
    sys.stderr.flush()
    _starting_shown = True


def _unsay() -> None:
    global _starting_shown
    if _starting_shown:
        _starting_shown = False
        sys.stderr.write("\r\x1b[2K")  # the line is cleared: the shell's prompt comes back on a clean line
        sys.stderr.flush()


def run_app(target: str, demo: bool = False, auto_pilot=None, build_demo_first: bool = False) -> int:
    """Show the sign-in screen at once; the store opens in the background behind it.

    The target has passed precheck(); the demo store (first --demo run) is built behind the sign-in screen
    too. auto_pilot is for the start-up benchmark.
    """
    from soptui.app import make_app

    hint = ""
    if demo:
        from soptui.demo import DEMO_PASSWORD

        hint = f"Демо-база. Вход: ivanova (специалист), head (заведующий), admin; пароль {DEMO_PASSWORD}"
    # the first --demo run fills the store behind the sign-in screen, which says so
    app = make_app(store_label=target, sign_in_hint=hint, store_target=target, build_demo=build_demo_first)
    app.own_terminal = auto_pilot is None
    result = app.run(headless=auto_pilot is not None, auto_pilot=auto_pilot)
    if app.store_error:
        return _fail(app.store_error)
    return result or 0


def _user_command(args: argparse.Namespace) -> int:
    """The same staff service as «Администрирование» in the app, as the signed-in administrator."""
    from soptui.services import auth, staff

    try:
        if args.user_command == "add":
            refusal = _unknown_department(args.department, args.new_department)
            if refusal:
                return _fail(refusal)
            password = _read_password(args.password_stdin)
            if not auth.has_users():  # the first administrator of an empty store: nobody to sign in as yet
                auth.add_user(
                    args.login,
                    password,
                    args.last,
                    args.first,
                    args.patronymic,
                    args.position,
                    args.role,
                    args.department,
                )
            else:
                data = staff.StaffData(
                    args.last,
                    args.first,
                    args.patronymic,
                    args.login,
                    args.position,
                    args.role,
                    new_department=args.department or "",
                )
                staff.save_staff(data, password=password)
            print(f"Сотрудник «{args.login}» добавлен.")
        elif args.user_command == "list":
            for u in staff.staff_page(limit=0).rows:
                state = "" if u.active else " (отключён)"
                print(
                    f"{u.login:<14} {u.full_name:<36} {u.position_label:<32} {u.role_label:<22} {u.department}{state}"
                )
        elif args.user_command == "passwd":
            staff.reset_password(staff.staff_id_of(args.login), _read_password(args.password_stdin))
            print(f"Пароль пользователя «{args.login}» изменён.")
        elif args.user_command in ("disable", "enable"):
            staff.set_staff_active(staff.staff_id_of(args.login), args.user_command == "enable")
            print(f"Учётная запись «{args.login}» {'включена' if args.user_command == 'enable' else 'отключена'}.")
    except (auth.UserError, staff.StaffError) as exc:
        return _fail(str(exc))
    return 0


def _audit_command() -> int:
    from soptui.db import audit_chain

    report = audit_chain.verify()
    if report.ok:
        print(f"Журнал аудита цел: {report.rows} записей, цепочка не нарушена.")
        return 0
    print(
        f"Журнал аудита нарушен: первая нарушенная запись № {report.first_broken_id} — {report.reason}.",
        file=sys.stderr,
    )
    return 1


def _unknown_department(name: str | None, create: bool) -> str:
    """A typo in --department made a new department of one person; '' when the name is known (or to be made)."""
    from soptui.services import staff

    if not name or create or staff.department_named(name) is not None:
        return ""
    known = "; ".join(c.label for c in staff.departments()) or "ни одного"
    return (
        f"Отделения «{' '.join(name.split())}» нет. Заведённые отделения: {known}. "
        "Чтобы завести новое, добавьте --new-department."
    )


def _backup_command(database, dest: str) -> int:
    from soptui.services.backup import BackupError, backup

    try:
        result = backup(database, dest)
    except BackupError as exc:
        return _fail(str(exc))
    pages = f" ({result.pages} стр.)" if result.pages else ""
    print(f"Резервная копия сохранена: {result.path}{pages}, проверка целостности: ok.")
    for old in result.removed:
        print(f"Старая копия удалена по расписанию хранения: {old.name}")
    return 0


def _restore_command(target: str, file: Path) -> int:
    """Restore without opening the store first: the current one may be the damaged one."""
    from soptui.core.storecheck import StoreError, backup_folder, sqlite_path
    from soptui.services.backup import BackupError, restore_postgresql, restore_sqlite

    try:
        path = sqlite_path(target)
        if path is None:
            safety = restore_postgresql(target, file, backup_folder(None))
        else:
            if not path.parent.is_dir():
                return _fail(f"Папка «{path.parent}» не существует: восстанавливать некуда.")
            safety = restore_sqlite(path, file)
    except (BackupError, StoreError) as exc:
        return _fail(str(exc))
    print(f"База данных восстановлена из «{file}». Прежняя база сохранена: {safety}")
    return 0


def _migrate_command(database, url: str) -> int:
    from soptui.services.backup import MigrateError, migrate_to

    try:
        report = migrate_to(database, url)
    except MigrateError as exc:
        return _fail(str(exc))
    for line in report:
        print(line)
    print("Перенос завершён: число строк и контрольные суммы всех таблиц совпадают.")
    return 0


def _institution_command(args: argparse.Namespace) -> int:
    from soptui.services import institution

    changes = {
        k: v
        for k, v in {
            "full_name": args.name,
            "short_name": args.short,
            "address": args.address,
            "phone": args.phone,
            "timezone": args.timezone,
            "idle_lock_minutes": args.idle_minutes,
        }.items()
        if v is not None
    }
    if args.hours:
        parts = args.hours.split("-")
        if len(parts) != 2:
            return _fail("Рабочее время — в виде 09:00-18:00.")
        try:
            changes["work_start"], changes["work_end"] = institution.check_hours(*parts)
        except ValueError as exc:
            return _fail(str(exc))
    if args.print_command is not None:
        changes["print_command"] = args.print_command
    if args.output_dir is not None:
        changes["output_dir"] = args.output_dir
    try:
        institution.update(**changes)
    except ValueError as exc:
        return _fail(str(exc))
    info = institution.get()
    print(
        f"{info.full_name}\nКратко: {info.short_name}\nАдрес: {info.address}\nТелефон: {info.phone}\n"
        f"Рабочее время: {info.work_start}-{info.work_end} ({info.timezone})\n"
        f"Блокировка экрана: через {info.idle_lock_minutes} мин бездействия"
    )
    from soptui.services import output

    print(f"Команда печати: {output.print_command() or 'нет (PDF только в папку)'}")
    print(f"Папка для PDF: {info.output_dir or f'{output.default_output_dir()} (по умолчанию)'}")
    return 0


def _calendar_command(args: argparse.Namespace) -> int:
    from soptui.core import clock
    from soptui.services import calendar

    try:
        if args.calendar_command == "set":
            day = clock.parse_date(args.date)
            calendar.set_day(day, args.kind, args.note)
            print(f"{clock.fmt_date(day)}: {calendar.KIND_LABELS[args.kind]}")
        else:
            calendar.confirm_year(args.year, args.decree)
            print(f"Календарь на {args.year} год подтверждён: {args.decree}")
    except ValueError as exc:
        return _fail(str(exc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
