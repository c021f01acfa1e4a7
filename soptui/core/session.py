"""Who is signed in to this process (one soptui process serves one person at a time)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """The signed-in member of staff, as the services and screens need them."""

    id: int
    login: str
    full_name: str
    short_name: str
    position: str
    position_label: str
    role: str  # specialist / head / admin
    department_id: int | None
    department_name: str
    idle_lock_minutes: int

    @property
    def sees_all_departments(self) -> bool:
        """Only the head of the centre (a head or administrator with no department) sees every department;
        a head of department sees their own (services/access.py holds the whole rule)."""
        return self.role in ("head", "admin") and self.department_id is None

    @property
    def is_head(self) -> bool:
        return self.role in ("head", "admin")

    @property
    def works_with_clients(self) -> bool:
        """An administrator without a staff position runs the system and opens no case file."""
        return not (self.role == "admin" and self.position == "admin")


_current: Actor | None = None


def set_actor(actor: Actor | None) -> None:
    global _current
    _current = actor


def current() -> Actor | None:
    return _current


def actor_id() -> int | None:
    return _current.id if _current else None
