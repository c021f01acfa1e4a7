"""Staff accounts and sign-in: scrypt password hashes, a growing delay after failed tries (no lock-out)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import peewee as pw

from soptui.core.session import Actor
from soptui.core.text import full_name, short_name
from soptui.db import models as m
from soptui.db import store
from soptui.db.connection import write_transaction
from soptui.domain.labels import POSITIONS, ROLES

# NIST SP 800-63B 5.2.2: throttle, do not lock out. From the FREE_FAILURES-th failure on, the next answer for
# that login waits 1, 2, 4 ... up to MAX_DELAY_S seconds; a success resets it. Nobody can lock a colleague out.
FREE_FAILURES = 3
MAX_DELAY_S = 30.0
REFUSAL = "Неверный логин или пароль."
DEFAULT_IDLE_MINUTES = 10
# scrypt: memory-hard (16 MiB with n=2**14, r=8), ~50 ms per check. Read at hash time; every hash stores its
# own parameters and is verified with them. The test suite lowers it (tests/conftest.py) to keep fixtures fast.
SCRYPT_COST = {"n": 2**14, "r": 8, "p": 1}
MIN_PASSWORD_LENGTH = 6


class AuthError(Exception):
    """Sign-in refused; the message is shown to the user as is."""


class UserError(Exception):
    """Bad input to user management; the message is one Russian sentence."""


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    cost = SCRYPT_COST
    digest = hashlib.scrypt(password.encode(), salt=salt, maxmem=64 * 1024 * 1024, **cost)
    b64 = base64.b64encode
    return f"scrypt${cost['n']}${cost['r']}${cost['p']}${b64(salt).decode()}${b64(digest).decode()}"


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


def throttle_delay(failures: int) -> float:
    """Seconds the next answer waits after `failures` consecutive failures for one login."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(2.0 ** (failures - FREE_FAILURES), MAX_DELAY_S)


def _throttle_key(purpose: str, login: str) -> str:
    # the typed login is never stored: a hash of it keys the counter, for known and unknown logins alike
    return hashlib.sha256(f"{purpose}:{login}".encode()).hexdigest()


_sleep = time.sleep  # tests replace it to read the delays
_wall = time.time


def _wait_for_turn(key: str, on_wait: Callable[[float], None] | None = None) -> None:
    row = m.SignInThrottle.get_or_none(m.SignInThrottle.key == key)
    if row is None:
        return
    remaining = row.last_failed_at + throttle_delay(row.failures) - _wall()
    if remaining > 0:
        wait = min(remaining, MAX_DELAY_S)
        if on_wait is not None:
            on_wait(wait)  # the screen says why nothing happens yet, instead of «Проверка…» for up to 30 s
        _sleep(wait)


def _record_failure(key: str) -> None:
    inserted = (
        m.SignInThrottle.insert(key=key, failures=1, last_failed_at=_wall())
        .on_conflict(
            conflict_target=[m.SignInThrottle.key],
            update={m.SignInThrottle.failures: m.SignInThrottle.failures + 1, m.SignInThrottle.last_failed_at: _wall()},
        )
        .execute()
    )
    return inserted


def _clear_failures(key: str) -> None:
    m.SignInThrottle.delete().where(m.SignInThrottle.key == key).execute()


def clear_throttle(login: str) -> None:
    """Forget a login's failed tries (a new password was set by the administrator): no delay left to wait."""
    for purpose in ("sign_in", "override"):
        _clear_failures(_throttle_key(purpose, login.strip().lower()))


def _check(login: str, password: str, purpose: str, on_wait: Callable[[float], None] | None = None) -> m.Staff | None:
    """The staff row if login and password match an active account; throttled, same work for every answer."""
    login = login.strip().lower()
    key = _throttle_key(purpose, login)
    _wait_for_turn(key, on_wait)  # outside the transaction: a waiting answer never holds the database
    # The hash (scrypt, about 0.1 s of CPU) runs before the write transaction: inside it, every sign-in, screen
    # unlock and head's approval held the writers' whole lock, and every save in the centre waited for it.
    seen = m.Staff.get_or_none(m.Staff.login == login)
    known = seen is not None and seen.active
    # the hash always runs: unknown, disabled and wrong answers take the same time
    good = verify_password(password, seen.password_hash if known else _dummy_hash())
    with write_transaction():
        staff = m.Staff.get_or_none(m.Staff.login == login) if known else None
        # the account as checked must still be there, active, with the same password: a change made while the
        # hash ran (disabled, new password) counts, as if it had come first
        known = staff is not None and staff.active and staff.id == seen.id
        if known and good and staff.password_hash == seen.password_hash:
            _clear_failures(key)
            return staff
        _record_failure(key)
        if purpose == "sign_in":
            # only an existing account's id is recorded, never the typed login or password
            store.audit(
                "login_failed",
                "staff",
                staff.id if known else None,
                {} if known else {"login": "неизвестный логин"},
                staff_id=staff.id if known else None,
            )
    return None


def sign_in(
    login: str, password: str, now: dt.datetime | None = None, on_wait: Callable[[float], None] | None = None
) -> Actor:
    """Check a login and password; raise AuthError with one message that never says which was wrong.

    `on_wait(seconds)` is told before a throttled answer waits (the same for known and unknown logins)."""
    staff = _check(login, password, "sign_in", on_wait)
    if staff is None:
        raise AuthError(REFUSAL)
    store.audit("login", "staff", staff.id, {}, staff_id=staff.id)
    return actor_for(staff)


def check_password(actor_id: int, password: str) -> bool:
    """Unlock an idle-locked screen: the same person's password, throttled like a sign-in."""
    staff = m.Staff.get_by_id(actor_id)
    try:
        sign_in(staff.login, password)
    except AuthError:
        return False
    return True


def verify_head_approval(login: str, password: str) -> int | None:
    """A head's own password given at the moment of an override; their id, or None.

    Failures here are throttled separately from sign-in, so a colleague typing wrong passwords into the
    override dialog slows only that dialog and never the head's own sign-in.
    """
    staff = _check(login, password, "override")
    if staff is None or staff.role not in ("head", "admin"):
        return None
    return staff.id


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
    hashed = hash_password(password)  # before the write transaction: no other writer waits for scrypt
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
            password_hash=hashed,
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
    hashed = hash_password(password)  # before the write transaction: no other writer waits for scrypt
    with write_transaction():
        staff = _staff_by_login(login)
        store.update_versioned(
            m.Staff,
            staff.id,
            staff.version,
            {"password_hash": hashed, "failed_attempts": 0, "locked_until": None},
        )
        store.audit("password_changed", "staff", staff.id)


def set_active(login: str, active: bool) -> None:
    with write_transaction():
        staff = _staff_by_login(login)
        store.update_versioned(m.Staff, staff.id, staff.version, {"active": active})
