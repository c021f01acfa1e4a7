"""Staff accounts and sign-in: scrypt password hashes, lockout after failed tries."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
from dataclasses import dataclass

import peewee as pw

from soptui.core import clock
from soptui.core.session import Actor
from soptui.core.text import full_name, short_name
from soptui.db import models as m
from soptui.db import store
from soptui.db.connection import write_transaction
from soptui.domain.labels import POSITIONS, ROLES

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = dt.timedelta(minutes=5)
DEFAULT_IDLE_MINUTES = 10
# scrypt: memory-hard (16 MiB with n=2**14, r=8), ~50 ms per check
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
MIN_PASSWORD_LENGTH = 6


class AuthError(Exception):
    """Sign-in refused; the message is shown to the user as is."""


class UserError(Exception):
    """Bad input to user management; the message is one Russian sentence."""


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, maxmem=64 * 1024 * 1024, **_SCRYPT)
    b64 = base64.b64encode
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, encoded: str) -> bool:
    try:
        algo, n, r, p, salt, digest = encoded.split("$")
    except ValueError:
        return False
    if algo != "scrypt":
        return False
    expected = base64.b64decode(digest)
    actual = hashlib.scrypt(
        password.encode(),
        salt=base64.b64decode(salt),
        n=int(n),
        r=int(r),
        p=int(p),
        maxmem=64 * 1024 * 1024,
        dklen=len(expected),
    )
    return hmac.compare_digest(actual, expected)


_DUMMY_HASH = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password("not-a-password")
    return _DUMMY_HASH


def actor_for(staff: m.Staff) -> Actor:
    """The session view of a staff row."""
    institution = m.Institution.select().first()
    idle = staff.idle_lock_minutes or (institution.idle_lock_minutes if institution else DEFAULT_IDLE_MINUTES)
    return Actor(
        id=staff.id,
        login=staff.login,
        full_name=full_name(staff.last_name, staff.first_name, staff.patronymic),
        short_name=short_name(staff.last_name, staff.first_name, staff.patronymic),
        position=staff.position,
        position_label=POSITIONS.get(staff.position, staff.position),
        role=staff.role,
        department_id=staff.department_id,
        department_name=staff.department.name if staff.department_id else "",
        idle_lock_minutes=idle,
    )


def sign_in(login: str, password: str, now: dt.datetime | None = None) -> Actor:
    """Check a login and password; raise AuthError with a message that never says which was wrong."""
    now = now or clock.now()
    login = login.strip().lower()
    refusal: str | None = None
    # The failure counter must be committed, so refusals are raised after the transaction.
    with write_transaction():
        staff = m.Staff.get_or_none(m.Staff.login == login)
        if staff is None or not staff.active:
            verify_password(password, _dummy_hash())  # same time as a real check
            store.audit("login_failed", "staff", None, {"login": login})
            refusal = "Неверный логин или пароль."
        elif staff.locked_until and staff.locked_until > now:
            refusal = f"Слишком много неудачных попыток. Вход заблокирован до {staff.locked_until:%H:%M}."
        elif not verify_password(password, staff.password_hash):
            attempts = staff.failed_attempts + 1
            locked = now + LOCKOUT if attempts >= MAX_FAILED_ATTEMPTS else None
            m.Staff.update(failed_attempts=0 if locked else attempts, locked_until=locked).where(
                m.Staff.id == staff.id
            ).execute()
            store.audit("login_failed", "staff", staff.id, {"login": login}, staff_id=staff.id)
            refusal = (
                f"Слишком много неудачных попыток. Вход заблокирован до {locked:%H:%M}."
                if locked
                else "Неверный логин или пароль."
            )
        else:
            m.Staff.update(failed_attempts=0, locked_until=None).where(m.Staff.id == staff.id).execute()
            store.audit("login", "staff", staff.id, {}, staff_id=staff.id)
    if refusal:
        raise AuthError(refusal)
    return actor_for(staff)


def check_password(actor_id: int, password: str) -> bool:
    """Unlock an idle-locked screen: the same person's password, failures count toward lockout."""
    staff = m.Staff.get_by_id(actor_id)
    try:
        sign_in(staff.login, password)
    except AuthError:
        return False
    return True


@dataclass(frozen=True)
class StaffRow:
    id: int
    login: str
    full_name: str
    position: str
    role: str
    department: str
    active: bool


def has_users() -> bool:
    return m.Staff.select().exists()


def add_user(
    login: str,
    password: str,
    last_name: str,
    first_name: str,
    patronymic: str = "",
    position: str = "social_work_specialist",
    role: str = "specialist",
    department: str | None = None,
) -> int:
    """Create a staff account; returns its id."""
    login = login.strip().lower()
    if not login or not login.replace("_", "").replace(".", "").replace("-", "").isalnum():
        raise UserError("Логин должен состоять из латинских букв, цифр, точки, дефиса или подчёркивания.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"Пароль должен быть не короче {MIN_PASSWORD_LENGTH} символов.")
    if not last_name.strip() or not first_name.strip():
        raise UserError("Укажите фамилию и имя сотрудника.")
    if position not in POSITIONS:
        raise UserError("Неизвестная должность: " + position + ". Допустимо: " + ", ".join(POSITIONS) + ".")
    if role not in ROLES:
        raise UserError("Неизвестная роль: " + role + ". Допустимо: " + ", ".join(ROLES) + ".")
    with write_transaction():
        if m.Staff.select().where(m.Staff.login == login).exists():
            raise UserError(f"Пользователь «{login}» уже есть.")
        dep = None
        if department:
            dep = m.Department.get_or_none(m.Department.name == department)
            if dep is None:
                dep = store.create(m.Department, name=department)
        staff = store.create(
            m.Staff,
            login=login,
            password_hash=hash_password(password),
            last_name=last_name.strip(),
            first_name=first_name.strip(),
            patronymic=patronymic.strip(),
            position=position,
            role=role,
            department=dep,
        )
    return staff.id


def list_users() -> list[StaffRow]:
    query = (
        m.Staff.select(m.Staff, m.Department)
        .join(m.Department, join_type=pw.JOIN.LEFT_OUTER)
        .order_by(m.Staff.last_name, m.Staff.first_name)
    )
    return [
        StaffRow(
            s.id,
            s.login,
            full_name(s.last_name, s.first_name, s.patronymic),
            POSITIONS.get(s.position, s.position),
            ROLES.get(s.role, s.role),
            s.department.name if s.department_id else "",
            s.active,
        )
        for s in query
    ]


def _staff_by_login(login: str) -> m.Staff:
    staff = m.Staff.get_or_none(m.Staff.login == login.strip().lower())
    if staff is None:
        raise UserError(f"Пользователь «{login}» не найден.")
    return staff


def set_password(login: str, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"Пароль должен быть не короче {MIN_PASSWORD_LENGTH} символов.")
    with write_transaction():
        staff = _staff_by_login(login)
        store.update_versioned(
            m.Staff,
            staff.id,
            staff.version,
            {"password_hash": hash_password(password), "failed_attempts": 0, "locked_until": None},
        )
        store.audit("password_changed", "staff", staff.id)


def set_active(login: str, active: bool) -> None:
    with write_transaction():
        staff = _staff_by_login(login)
        store.update_versioned(m.Staff, staff.id, staff.version, {"active": active})
