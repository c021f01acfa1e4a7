"""Staff as the forms and lists need them: one option type, one list builder, one name lookup.

Every area used to build its own staff list and name cache; they all come from here now.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from soptui.core.session import Actor
from soptui.core.text import full_name, short_name
from soptui.db import models as m
from soptui.db import store
from soptui.db.connection import write_transaction
from soptui.domain.labels import POSITIONS


@dataclass(frozen=True)
class Choice:
    """One entry of a drop-down or filter: what is stored and what is shown."""

    id: Any
    label: str
    department_id: int | None = None


@dataclass(frozen=True)
class StaffOption:
    """A member of staff offered in a form (performer, leader, visitor)."""

    id: int
    short_name: str
    full_name: str
    position: str
    position_label: str
    department_id: int | None

    @property
    def name(self) -> str:
        return self.short_name


def _option(s: m.Staff) -> StaffOption:
    return StaffOption(
        s.id,
        short_name(s.last_name, s.first_name, s.patronymic),
        full_name(s.last_name, s.first_name, s.patronymic),
        s.position,
        POSITIONS.get(s.position, s.position),
        s.department_id,
    )


def staff_options(
    department_id: int | None = None,
    positions: Sequence[str] | None = None,
    include: Iterable[int] = (),
    with_unassigned: bool = False,
) -> list[StaffOption]:
    """Active staff, optionally of one department (plus those with no department) and of some positions.

    `include` adds the given people even if inactive or elsewhere, so a form keeps showing who is stored.
    """
    # access: open: colleagues' names and positions for the forms' drop-downs (no client data)
    query = m.Staff.select().where(m.Staff.active == True)  # noqa: E712
    if positions is not None:
        query = query.where(m.Staff.position.in_(list(positions)))
    if department_id is not None:
        here = m.Staff.department == department_id
        query = query.where(here | m.Staff.department.is_null() if with_unassigned else here)
    rows = list(query.order_by(m.Staff.last_name, m.Staff.first_name))
    have = {s.id for s in rows}
    missing = [i for i in include if i and i not in have]
    if missing:
        rows += list(m.Staff.select().where(m.Staff.id.in_(missing)))
    return [_option(s) for s in rows]


def staff_choices(department_id: int | None = None) -> list[Choice]:
    """Active staff for a filter: short names, those of the department and those with none."""
    # access: open: colleagues' short names for a filter (no client data)
    return [
        Choice(o.id, o.short_name, o.department_id)
        for o in staff_options(department_id, with_unassigned=department_id is not None)
    ]


def departments() -> list[Choice]:
    """Departments by name; `department_id` of each choice is its own id."""
    # access: open: the departments' names
    return [Choice(d.id, d.short_name or d.name, d.id) for d in m.Department.select().order_by(m.Department.name)]


class Names:
    """Staff names looked up once per request (lists and reports name many rows by the same few people)."""

    def __init__(self) -> None:
        self._rows: dict[int, m.Staff | None] = {}

    def _get(self, staff_id: int | None) -> m.Staff | None:
        if not staff_id:
            return None
        if staff_id not in self._rows:
            self._rows[staff_id] = m.Staff.get_or_none(m.Staff.id == staff_id)
        return self._rows[staff_id]

    def short(self, staff_id: int | None) -> str:
        s = self._get(staff_id)
        return short_name(s.last_name, s.first_name, s.patronymic) if s else ""

    def full(self, staff_id: int | None) -> str:
        s = self._get(staff_id)
        return full_name(s.last_name, s.first_name, s.patronymic) if s else ""


def is_head(actor: Actor | None) -> bool:
    """Heads of department (and administrators acting as such) see and approve more: the one test of it."""
    # access: pure: reads the actor handed to it
    return actor is not None and actor.is_head


def staff_is_head(staff_id: int | None) -> bool:
    """Whether a stored member of staff has the head role (for overrides approved by someone else)."""
    # access: open: whether a colleague is a head (an override approved by someone else)
    s = m.Staff.get_or_none(m.Staff.id == staff_id) if staff_id else None
    return bool(s and s.active and s.role in ("head", "admin"))


# --- the administrator's staff management («Администрирование», `soptui user`) -------------------------

PAGE_SIZE = 200
# the temporary password: 10 characters with no look-alikes (0/O, 1/l/I), read aloud or copied from the screen
_TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TEMP_PASSWORD_LENGTH = 10


class StaffError(ValueError):
    """A refused staff change; `field` names the form field the message belongs to ("" = the form)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class StaffData:
    """What the staff form saves. `new_department`: a department named here is found or created."""

    last_name: str
    first_name: str
    patronymic: str
    login: str
    position: str
    role: str
    department_id: int | None = None
    new_department: str = ""
    active: bool = True


@dataclass(frozen=True)
class StaffCard:
    """One member of staff as the form shows it."""

    id: int
    version: int
    data: StaffData
    department_name: str


@dataclass(frozen=True)
class StaffListRow:
    id: int
    login: str
    full_name: str
    short_name: str
    role: str
    role_label: str
    position_label: str
    department: str  # the department's short name (its name when it has none)
    active: bool


@dataclass(frozen=True)
class StaffPage:
    rows: list[StaffListRow]
    total: int
    offset: int
    limit: int
    active: int = 0  # of the total, those allowed to sign in


def _admin(actor: Actor | None) -> Actor:
    from soptui.services import access

    return access.require_admin(access.resolve(actor))


def temporary_password() -> str:
    """A fresh temporary password (shown once to the administrator, never stored in clear or logged)."""
    # access: pure: makes a random value
    import secrets

    while True:
        word = "".join(secrets.choice(_TEMP_ALPHABET) for _ in range(TEMP_PASSWORD_LENGTH))
        if any(c.isdigit() for c in word) and any(c.isalpha() for c in word):
            return word


def staff_page(query: str = "", offset: int = 0, limit: int = PAGE_SIZE, actor: Actor | None = None) -> StaffPage:
    """Staff by surname, a page at a time; `query` finds by a part of the name or the login."""
    # access: administrators only
    import peewee as pw

    from soptui.domain.labels import ROLES

    _admin(actor)
    rows = m.Staff.select(m.Staff, m.Department).join(m.Department, join_type=pw.JOIN.LEFT_OUTER)
    for word in query.split()[:5]:
        # SQLite's lower() knows no Cyrillic: the word as typed, in lower case and capitalised
        variants = {word, word.lower(), word.capitalize()}
        match = m.Staff.login.contains(word.lower())
        for v in variants:
            match = match | m.Staff.last_name.contains(v) | m.Staff.first_name.contains(v)
            match = match | m.Staff.patronymic.contains(v)
        rows = rows.where(match)
    total = rows.count()
    active = rows.where(m.Staff.active == True).count()  # noqa: E712
    rows = rows.order_by(m.Staff.active.desc(), m.Staff.last_name, m.Staff.first_name, m.Staff.id)
    if limit:
        rows = rows.offset(max(offset, 0)).limit(limit)
    out = [
        StaffListRow(
            s.id,
            s.login,
            full_name(s.last_name, s.first_name, s.patronymic),
            short_name(s.last_name, s.first_name, s.patronymic),
            s.role,
            ROLES.get(s.role, s.role),
            POSITIONS.get(s.position, s.position),
            (s.department.short_name or s.department.name) if s.department_id else "",
            s.active,
        )
        for s in rows
    ]
    return StaffPage(out, total, max(offset, 0), limit, active)


def _card(s: m.Staff) -> StaffCard:
    data = StaffData(
        s.last_name, s.first_name, s.patronymic, s.login, s.position, s.role, s.department_id, "", s.active
    )
    return StaffCard(s.id, s.version, data, s.department.name if s.department_id else "")


def staff_card(staff_id: int, actor: Actor | None = None) -> StaffCard:
    """One member of staff for the form; RecordGone when deleted."""
    # access: administrators only
    from soptui.services.errors import RecordGone

    _admin(actor)
    s = m.Staff.get_or_none(m.Staff.id == staff_id)
    if s is None:
        raise RecordGone()
    return _card(s)


def department_choices(actor: Actor | None = None) -> list[Choice]:
    """Every department by name, for the staff form (full names: the form has the width)."""
    # access: administrators only
    _admin(actor)
    return [Choice(d.id, d.name, d.id) for d in m.Department.select().order_by(m.Department.name)]


def _check_password(password: str, field: str = "password") -> None:
    from soptui.services.auth import MIN_PASSWORD_LENGTH

    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"Пароль должен быть не короче {MIN_PASSWORD_LENGTH} символов.", field)
    if len(password) > 200:
        raise StaffError("Пароль — не длиннее 200 символов.", field)


def _clean(data: StaffData) -> StaffData:
    from soptui.domain.labels import ROLES

    def one_line(text: str) -> str:
        return " ".join((text or "").split())

    login = (data.login or "").strip().lower()
    last, first, patronymic = one_line(data.last_name), one_line(data.first_name), one_line(data.patronymic)
    if not last:
        raise StaffError("Укажите фамилию.", "last_name")
    if not first:
        raise StaffError("Укажите имя.", "first_name")
    for key, value in (("last_name", last), ("first_name", first), ("patronymic", patronymic)):
        if len(value) > 100:
            raise StaffError("Не длиннее 100 знаков.", key)
    if not login:
        raise StaffError("Укажите логин.", "login")
    if len(login) > 40 or not all(c.isascii() and (c.isalnum() or c in "._-") for c in login):
        raise StaffError("Логин — латинские буквы, цифры, точка, дефис или подчёркивание (до 40 знаков).", "login")
    if data.position not in POSITIONS:
        raise StaffError("Выберите должность из списка.", "position")
    if data.role not in ROLES:
        raise StaffError("Выберите роль из списка.", "role")
    new_department = one_line(data.new_department)
    if len(new_department) > 200:
        raise StaffError("Название отделения — не длиннее 200 знаков.", "new_department")
    return StaffData(
        last, first, patronymic, login, data.position, data.role, data.department_id, new_department, data.active
    )


def department_named(name: str) -> int | None:
    """The department called so (its name or short name, case and extra spaces aside), or None."""
    # access: open: the names of the centre's departments are no personal data
    wanted = " ".join(name.split()).lower()
    for d in m.Department.select(m.Department.id, m.Department.name, m.Department.short_name):
        if wanted in (" ".join(d.name.split()).lower(), " ".join((d.short_name or "").split()).lower()):
            return d.id
    return None


def _department_of(data: StaffData) -> int | None:
    """The department to store (inside the write transaction): a typed name is found (by its name or short
    name, case aside) or created, as `soptui user add --department` always did."""
    if data.new_department:
        found = department_named(data.new_department)
        return found if found is not None else store.create(m.Department, name=data.new_department).id
    if data.department_id is not None and m.Department.get_or_none(m.Department.id == data.department_id) is None:
        raise StaffError("Этого отделения больше нет: выберите другое.", "department")
    return data.department_id


def _keep_an_administrator(actor: Actor, staff_id: int, role: str, active: bool) -> None:
    """Nobody locks the administrators out: not oneself, not the last active administrator."""
    if staff_id == actor.id and not active:
        raise StaffError("Свою учётную запись отключить нельзя: войдите другим администратором.", "active")
    if staff_id == actor.id and role != "admin":
        raise StaffError("Снять роль администратора с себя нельзя: это может сделать другой администратор.", "role")
    if role == "admin" and active:
        return
    others = m.Staff.select().where((m.Staff.role == "admin") & m.Staff.active & (m.Staff.id != staff_id))
    if not others.exists():
        raise StaffError("Это последний действующий администратор: сначала назначьте другого.", "role")


def save_staff(
    data: StaffData,
    staff_id: int | None = None,
    version: int | None = None,
    password: str | None = None,
    actor: Actor | None = None,
) -> tuple[int, str]:
    """Add a member of staff (staff_id None) or change one; returns (id, temporary password or "").

    A new account gets `password` (typed twice in the form), or a temporary one returned here once.
    `version`: the version the form started from (ConflictError if a colleague saved since).
    """
    # access: administrators only
    from soptui.services import auth
    from soptui.services.errors import RecordGone

    actor = _admin(actor)
    data = _clean(data)
    temporary = ""
    if staff_id is None:
        if password is None:
            password = temporary = temporary_password()
        _check_password(password)
    # scrypt before the write transaction: no other writer of the centre waits for it
    hashed = auth.hash_password(password) if staff_id is None else ""
    with write_transaction():
        taken = m.Staff.get_or_none(m.Staff.login == data.login)
        if taken is not None and taken.id != staff_id:
            raise StaffError(f"Логин «{data.login}» уже занят.", "login")
        department = _department_of(data)
        fields = {
            "last_name": data.last_name,
            "first_name": data.first_name,
            "patronymic": data.patronymic,
            "login": data.login,
            "position": data.position,
            "role": data.role,
            "department": department,
            "active": data.active,
        }
        if staff_id is None:
            staff = store.create(m.Staff, password_hash=hashed, **fields)
            return staff.id, temporary
        current = m.Staff.get_or_none(m.Staff.id == staff_id)
        if current is None:
            raise RecordGone()
        if current.role != data.role or current.active != data.active:
            _keep_an_administrator(actor, staff_id, data.role, data.active)
        store.update_versioned(m.Staff, staff_id, current.version if version is None else version, fields)
    return staff_id, ""


def reset_password(staff_id: int, password: str | None = None, actor: Actor | None = None) -> str:
    """Set a new password (typed twice in the form) or a temporary one, returned once; "" for a typed one.

    Any sign-in delay built up by wrong tries is cleared; the audit says a password was changed, never which.
    """
    # access: administrators only
    from soptui.services import auth
    from soptui.services.errors import RecordGone

    _admin(actor)
    temporary = ""
    if password is None:
        password = temporary = temporary_password()
    _check_password(password)
    hashed = auth.hash_password(password)  # before the write transaction: no other writer waits for scrypt
    with write_transaction():
        staff = m.Staff.get_or_none(m.Staff.id == staff_id)
        if staff is None:
            raise RecordGone()
        store.update_versioned(
            m.Staff,
            staff.id,
            staff.version,
            {"password_hash": hashed, "failed_attempts": 0, "locked_until": None},
        )
        store.audit("password_changed", "staff", staff.id)
        auth.clear_throttle(staff.login)
    return temporary


def set_staff_active(staff_id: int, active: bool, version: int | None = None, actor: Actor | None = None) -> StaffCard:
    """Allow or stop a member of staff's sign-in (nobody is deleted: their records keep their name)."""
    # access: administrators only
    from soptui.services.errors import RecordGone

    actor = _admin(actor)
    with write_transaction():
        current = m.Staff.get_or_none(m.Staff.id == staff_id)
        if current is None:
            raise RecordGone()
        if current.active != active:
            _keep_an_administrator(actor, staff_id, current.role, active)
            store.update_versioned(
                m.Staff, staff_id, current.version if version is None else version, {"active": active}
            )
        return _card(m.Staff.get_by_id(staff_id))


def staff_id_of(login: str, actor: Actor | None = None) -> int:
    """The id of a login (the command line names people by login)."""
    # access: administrators only
    _admin(actor)
    s = m.Staff.get_or_none(m.Staff.login == (login or "").strip().lower())
    if s is None:
        raise StaffError(f"Пользователь «{login}» не найден.", "login")
    return s.id
