"""Issue 15 point 4, the services behind «Администрирование» and `soptui user / institution / calendar`:
only an administrator changes staff, the institution's settings and the production calendar; a specialist,
a head and nobody signed in are refused in the service and nothing changes. Versions guard every edit."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect

import pytest

from soptui.core import session
from soptui.db import models as m
from soptui.domain import workdays
from soptui.services import auth, calendar, institution, output
from soptui.services import staff as staff_service
from soptui.services.errors import AccessDenied, ConflictError
from soptui.services.staff import StaffData, StaffError

from conftest import PASSWORD

NEW = StaffData("Орлова", "Вера", "Ильинична", "orlova", "psychologist", "specialist")


def _as(login: str):
    return auth.actor_for(m.Staff.get(m.Staff.login == login))


def _admin_calls(staff):
    spec = staff["spec"]
    return {
        "staff_page": lambda a: staff_service.staff_page(actor=a),
        "staff_card": lambda a: staff_service.staff_card(spec, a),
        "department_choices": lambda a: staff_service.department_choices(a),
        "save_staff (new)": lambda a: staff_service.save_staff(NEW, password="secret12", actor=a),
        "save_staff (role)": lambda a: staff_service.save_staff(
            StaffData("Иванова", "Марина", "Сергеевна", "spec", "social_work_specialist", "admin"), spec, actor=a
        ),
        "reset_password": lambda a: staff_service.reset_password(spec, "hacked123", a),
        "set_staff_active": lambda a: staff_service.set_staff_active(spec, False, actor=a),
        "staff_id_of": lambda a: staff_service.staff_id_of("spec", a),
        "institution.update": lambda a: institution.update(actor=a, short_name="Взлом"),
        "output.set_print_command": lambda a: output.set_print_command("lp -d X", a),
        "calendar.set_day": lambda a: calendar.set_day(dt.date(2026, 11, 26), "holiday", "x", a),
        "calendar.confirm_year": lambda a: calendar.confirm_year(2027, "Постановление", a),
    }


def _state():
    """Everything the refused calls could have changed."""
    return (
        [(s.login, s.role, s.active, s.password_hash, s.version) for s in m.Staff.select().order_by(m.Staff.id)],
        [(i.short_name, i.print_command, i.version) for i in m.Institution.select()],
        list(m.CalendarOverride.select().dicts()),
        list(m.CalendarYear.select().dicts()),
    )


@pytest.mark.parametrize("who", ["spec", "head", None])
def test_only_an_administrator_may(staff, who):
    institution.ensure()
    before = _state()
    actor = _as(who) if who else None
    session.set_actor(None)
    for name, call in _admin_calls(staff).items():
        with pytest.raises(AccessDenied):
            call(actor)
            pytest.fail(f"{name} was allowed for {who}")
    assert _state() == before
    assert auth.sign_in("spec", PASSWORD).role == "specialist"


def test_the_administrator_may(staff):
    admin = _as("admin")
    for name, call in _admin_calls(staff).items():
        if name == "staff_id_of":
            assert call(admin) == staff["spec"]
        else:
            call(admin)
    assert auth.sign_in("orlova", "secret12").position == "psychologist"
    assert m.Staff.get_by_id(staff["spec"]).active is False
    assert institution.get().short_name == "Взлом" and output.print_command(admin) == "lp -d X"
    assert not workdays.is_working_day(dt.date(2026, 11, 26)) and workdays.is_confirmed_year(2027)


def test_the_command_line_runs_as_the_signed_in_administrator(staff):
    """The CLI signs the administrator in (session actor) and calls the same functions without an actor."""
    session.set_actor(_as("admin"))
    institution.update(short_name="КЦСОН Берёзовский")
    session.set_actor(_as("head"))
    with pytest.raises(AccessDenied):
        institution.update(short_name="Другое")
    assert institution.get().short_name == "КЦСОН Берёзовский"


def test_nobody_locks_the_administrators_out(staff):
    admin = _as("admin")
    with pytest.raises(StaffError, match="Свою учётную запись"):
        staff_service.set_staff_active(staff["admin"], False, actor=admin)
    card = staff_service.staff_card(staff["admin"], admin)
    demoted = StaffData("Смирнова", "Ольга", "Викторовна", "admin", "admin", "head")
    with pytest.raises(StaffError, match="с себя"):
        staff_service.save_staff(demoted, staff["admin"], card.version, actor=admin)
    # a second administrator may stop the first, but not leave the centre without any
    second, _ = staff_service.save_staff(
        StaffData("Белов", "Игорь", "", "belov", "admin", "admin"), password="secret12", actor=admin
    )
    staff_service.set_staff_active(staff["admin"], False, actor=_as("belov"))
    staff_service.set_staff_active(staff["admin"], True, actor=_as("belov"))
    staff_service.set_staff_active(second, False, actor=admin)
    with pytest.raises(StaffError, match="последний"):
        staff_service.save_staff(
            StaffData("Смирнова", "Ольга", "Викторовна", "admin", "admin", "head"), staff["admin"], actor=_as("belov")
        )


def test_staff_edits_are_versioned_and_checked(staff):
    admin = _as("admin")
    card = staff_service.staff_card(staff["spec"], admin)
    moved = StaffData(**{**card.data.__dict__, "position": "psychologist"})
    staff_service.save_staff(moved, staff["spec"], card.version, actor=admin)
    with pytest.raises(ConflictError):  # a second form opened before that save
        staff_service.save_staff(card.data, staff["spec"], card.version, actor=admin)
    assert m.Staff.get_by_id(staff["spec"]).position == "psychologist"
    with pytest.raises(StaffError) as taken:
        staff_service.save_staff(StaffData(**{**NEW.__dict__, "login": "HEAD"}), password="secret12", actor=admin)
    assert taken.value.field == "login" and "занят" in str(taken.value)
    with pytest.raises(StaffError) as bad:
        staff_service.save_staff(StaffData(**{**NEW.__dict__, "login": "орлова"}), password="secret12", actor=admin)
    assert bad.value.field == "login"
    with pytest.raises(StaffError) as short:
        staff_service.save_staff(NEW, password="123", actor=admin)
    assert short.value.field == "password"
    # a department typed by its short name is found, a new name is created
    dep = m.Department.get(m.Department.name == "Отделение дневного пребывания")
    m.Department.update(short_name="ОДП").where(m.Department.id == dep.id).execute()
    staff_id, temporary = staff_service.save_staff(StaffData(**{**NEW.__dict__, "new_department": "одп"}), actor=admin)
    assert m.Staff.get_by_id(staff_id).department_id == dep.id and len(temporary) == 10
    assert auth.sign_in("orlova", temporary).department_name == "Отделение дневного пребывания"


def test_a_reset_password_clears_the_sign_in_delay_and_is_never_recorded(staff, monkeypatch):
    waits = []
    monkeypatch.setattr(auth, "_sleep", waits.append)
    for _ in range(6):
        with pytest.raises(auth.AuthError):
            auth.sign_in("spec", "wrong")
    temporary = staff_service.reset_password(staff["spec"], actor=_as("admin"))
    waits.clear()
    assert auth.sign_in("spec", temporary).login == "spec" and waits == []
    assert not any(temporary in r.changes for r in m.AuditLog.select())


def test_the_staff_list_pages_and_finds(staff):
    admin = _as("admin")
    page = staff_service.staff_page(limit=2, actor=admin)
    assert (page.total, len(page.rows), page.active) == (4, 2, 4)
    rest = staff_service.staff_page(offset=2, limit=2, actor=admin)
    assert {r.login for r in page.rows} | {r.login for r in rest.rows} == {"spec", "head", "admin", "other"}
    assert [r.login for r in staff_service.staff_page("кузнецова", actor=admin).rows] == ["head"]
    assert [r.login for r in staff_service.staff_page("Татьяна", actor=admin).rows] == ["head"]
    assert [r.login for r in staff_service.staff_page("OTH", actor=admin).rows] == ["other"]


def test_institution_edits_are_versioned_and_checked(staff, tmp_path, monkeypatch):
    admin = _as("admin")
    info = institution.update(actor=admin, short_name="КЦСОН")
    institution.update(actor=admin, version=info.version, phone="+7 343 000-00-00")
    with pytest.raises(ConflictError):
        institution.update(actor=admin, version=info.version, address="ул. Ленина, 1")
    for field, value in (
        ("full_name", "  "),
        ("work_start", "25:00"),
        ("idle_lock_minutes", 0),
        ("timezone", "Марс/Олимп"),
        ("print_command", "lp | rm"),
        ("output_dir", "относительный/путь"),
        ("phone", "позвоните секретарю"),  # printed on every letterhead: a number must be there
    ):
        with pytest.raises(institution.SettingsError) as refused:
            institution.update(actor=admin, **{field: value})
        assert refused.value.field == field, field
    institution.update(actor=admin, phone="тел. 8 (343) 222-33-44, доб. 12")
    # a save refused (a colleague saved first) makes no folder: it was made while the change was checked
    with pytest.raises(ConflictError):
        institution.update(actor=admin, version=info.version, output_dir=str(tmp_path / "never" / "made"))
    assert not (tmp_path / "never").exists()
    # the administrator's folder is where PDFs go, unless the workstation sets SOPTUI_OUTPUT
    folder = tmp_path / "pdf"
    institution.update(actor=admin, output_dir=str(folder))
    monkeypatch.delenv("SOPTUI_OUTPUT", raising=False)
    assert output.output_dir() == folder and folder.is_dir()
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    monkeypatch.setenv("SOPTUI_OUTPUT", str(tmp_path / "here"))
    assert output.output_dir() == tmp_path / "here"


def test_a_day_mark_is_versioned_and_can_be_removed(staff):
    admin = _as("admin")
    day = dt.date(2026, 11, 26)
    calendar.set_day(day, "holiday", "Распоряжение № 1", admin, version=0)
    mark = calendar.day_mark(day, admin)
    assert (mark.kind, mark.note) == ("holiday", "Распоряжение № 1")
    with pytest.raises(ConflictError):  # a second dialog opened when the day had no mark
        calendar.set_day(day, "short", "другое", admin, version=0)
    calendar.set_day(day, "", "", admin, version=mark.version)
    assert calendar.day_mark(day, admin) is None and workdays.is_working_day(day)
    with pytest.raises(calendar.CalendarError):
        calendar.confirm_year(2027, "  ", admin)
    for call, field in (
        (lambda: calendar.confirm_year(1800, "Постановление № 1", admin), "year"),
        (lambda: calendar.set_day(dt.date(1800, 1, 3), "holiday", "Постановление № 1", admin), "day"),
        (lambda: calendar.set_day(dt.date(2026, 11, 27), "holiday", "  ", admin), "note"),  # no basis
    ):
        with pytest.raises(calendar.CalendarError) as refused:
            call()
        assert refused.value.field == field
    view = calendar.year_view(2026, admin)
    assert (view.working_days, view.hours, view.confirmed, view.builtin) == (247, 1972, True, True)
    assert calendar.next_unconfirmed_year(dt.date(2026, 11, 25), admin) == 2027
    assert calendar.next_unconfirmed_year(dt.date(2026, 6, 1), admin) is None


ADMIN_MODULES = ["staff", "institution", "calendar", "output"]


@pytest.mark.parametrize("area", ADMIN_MODULES)
def test_every_public_function_says_who_may_call_it(area):
    """Each public function of these services carries a `# access:` line; those for administrators check it."""
    module = importlib.import_module(f"soptui.services.{area}")
    missing, unchecked = [], []
    for name, fn in inspect.getmembers(module, inspect.isfunction):
        if name.startswith("_") or fn.__module__ != module.__name__:
            continue
        source = inspect.getsource(fn)
        if "# access:" not in source:
            missing.append(name)
        elif "# access: administrators only" in source and not ("require_admin" in source or "_admin(actor)" in source):
            unchecked.append(name)
    assert missing == [] and unchecked == []


def test_the_command_line_uses_the_same_services(tmp_path, monkeypatch, capsys):
    """`soptui institution --output-dir`, `calendar set` and `user disable` as the signed-in administrator."""
    import io

    from soptui.__main__ import main
    from soptui.db.connection import db

    def cli(args, stdin):
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        try:
            return main(["--db", str(tmp_path / "cli.db"), *args])
        finally:
            if db.obj is not None:
                db.obj.close()
            db.initialize(None)
            session.set_actor(None)

    first = ["user", "add", "boss", "--last", "Смирнова", "--first", "Ольга", "--role", "admin", "--position", "admin"]
    assert cli(["--create", *first], "bosspass1\n") == 0  # a new store is made on purpose
    admin = ["--admin", "boss", "--admin-password-stdin"]
    folder = tmp_path / "pdf"
    assert cli([*admin, "institution", "--output-dir", str(folder)], "bosspass1\n") == 0
    assert f"Папка для PDF: {folder}" in capsys.readouterr().out and folder.is_dir()
    assert cli([*admin, "calendar", "set", "26.11.2026", "holiday", "--note", "Распоряжение"], "bosspass1\n") == 0
    assert "26.11.2026: нерабочий день" in capsys.readouterr().out
    assert cli([*admin, "user", "disable", "boss"], "bosspass1\n") == 2
    assert "Свою учётную запись" in capsys.readouterr().err
    assert cli([*admin, "institution", "--hours", "0900"], "bosspass1\n") == 2
    assert "09:00-18:00" in capsys.readouterr().err
