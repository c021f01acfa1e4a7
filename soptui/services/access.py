"""Who may read or change what: the one authorization rule every service applies (152-FZ, issue 10).

- A **specialist** works with the clients of their own department; one without a department, only with the
  clients assigned to them.
- A **head** works with their own department's clients; a head with no department (head of the centre)
  with every department's.
- A client not yet routed to a department is open to the specialist assigned to it, or to any member of
  staff while nobody is assigned (intake), so that it can be routed.
- An **administrator** runs the system (staff, settings, calendar, audit) but opens no case file, unless
  they also hold a staff position (then they are treated as a specialist of their department).

Every public service function that touches a client, call, visit, act, club, session, draft or log calls
one of the `require_*` functions below with the actor (explicit, or the signed-in one), and is marked with
`@policy(...)` so the access-matrix test can find a function that forgot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from soptui.core import session
from soptui.core.session import Actor
from soptui.services.errors import AccessDenied

F = TypeVar("F", bound=Callable)

# Policies (what the access-matrix test expects of a function marked with it)
CLIENT_READ = "client_read"  # staff of the client's department (and their head)
CLIENT_WRITE = "client_write"  # the same people; a head of another department is refused
HEAD = "head"  # a head of department (own department), or the head of the centre
STAFF = "staff"  # any member of staff who works with clients (not a pure administrator)
OWN = "own"  # the actor's own records only (drafts, own call in progress)
ADMIN = "admin"  # administrators
ANYONE = "anyone"  # signed-in people; no personal data involved (labels, calendars, choices)


def policy(name: str) -> Callable[[F], F]:
    """Mark a public service function with the access policy it enforces (read by the matrix test)."""

    def mark(fn: F) -> F:
        fn.__access_policy__ = name  # type: ignore[attr-defined]
        return fn

    return mark


def resolve(actor: Actor | None) -> Actor:
    """The explicit actor, else the signed-in one; nobody signed in is refused, never treated as 'see all'."""
    actor = actor if actor is not None else session.current()
    if actor is None:
        raise AccessDenied("Нет входа в систему.")
    return actor


def works_with_clients(actor: Actor) -> bool:
    """Administrators without a staff position open no case files."""
    return actor.works_with_clients


def client_scope(actor: Actor) -> tuple[str, int | None]:
    """What the actor may see: ("all", None), ("department", id), ("assigned", staff id) or ("none", None)."""
    if not works_with_clients(actor):
        return "none", None
    if actor.department_id is None:
        return ("all", None) if actor.role in ("head", "admin") else ("assigned", actor.id)
    return "department", actor.department_id


def may_see_client(actor: Actor, department_id: int | None, assigned_staff_id: int | None) -> bool:
    kind, value = client_scope(actor)
    if kind == "all":
        return True
    if kind != "none" and department_id is None:
        # not yet routed to a department (a fresh referral): its own specialist, or any staff while unassigned
        return assigned_staff_id in (None, actor.id)
    if kind == "department":
        return department_id == value
    if kind == "assigned":
        return assigned_staff_id == value
    return False


def require_client(actor: Actor | None, department_id: int | None, assigned_staff_id: int | None) -> Actor:
    """Refuse unless the actor may work with a client of this department / assignment."""
    actor = resolve(actor)
    if not may_see_client(actor, department_id, assigned_staff_id):
        kind, value = client_scope(actor)
        if kind == "department" and department_id is not None and department_id != value:
            raise AccessDenied("Клиент относится к другому отделению, его дело вам недоступно.")
        if kind in ("department", "assigned") and assigned_staff_id is not None:
            raise AccessDenied("Клиент закреплён за другим специалистом, его дело вам недоступно.")
        raise AccessDenied("Нет доступа к делу этого клиента.")
    return actor


def require_staff(actor: Actor | None) -> Actor:
    actor = resolve(actor)
    if not works_with_clients(actor):
        raise AccessDenied("Администратор не работает с делами клиентов.")
    return actor


def require_head(actor: Actor | None, department_id: int | None = None) -> Actor:
    """A head (of this department, when given) or the head of the centre."""
    actor = resolve(actor)
    if actor.role not in ("head", "admin") or not works_with_clients(actor):
        raise AccessDenied("Это может сделать только заведующий отделением.")
    if department_id is not None and actor.department_id not in (None, department_id):
        raise AccessDenied("Это может сделать только заведующий этим отделением.")
    return actor


def require_admin(actor: Actor | None) -> Actor:
    actor = resolve(actor)
    if actor.role != "admin":
        raise AccessDenied("Это может сделать только администратор.")
    return actor


def require_own(actor: Actor | None, staff_id: int | None) -> Actor:
    """The actor's own record (a draft, a call in progress)."""
    actor = resolve(actor)
    if staff_id != actor.id:
        raise AccessDenied("Это запись другого сотрудника.")
    return actor


# --- resolving a record to the client (or department) it belongs to ----------------------------------------


@dataclass(frozen=True)
class ClientRef:
    """What access needs of a client: its department and the specialist assigned."""

    id: int
    department_id: int | None
    assigned_staff_id: int | None


def _client_of(model, record_id: int | None, attr: str = "client") -> ClientRef | None:
    from soptui.db import models as m
    from soptui.db import prepared

    if record_id is None:
        return None
    # only the two columns access needs (a whole wide row cost more than the check), its SQL kept: every
    # service call runs one of these
    column = getattr(model, attr)

    def build():
        return (
            m.Client.select(m.Client.id, m.Client.department, m.Client.assigned_staff)
            .join(model, on=(column == m.Client.id))
            .where(model.id == 0)
            .limit(1)
        )

    row = prepared.execute(f"access.client_of.{model._meta.table_name}.{attr}", build, (record_id, 1)).fetchone()
    return ClientRef(*row) if row else None


def require_client_id(actor: Actor | None, client_id: int | None) -> Actor:
    """The client's file (a missing client is left to the caller, which reports it as gone)."""
    from soptui.db import models as m
    from soptui.db import prepared

    if client_id is None:
        return resolve(actor)
    row = prepared.execute(
        "access.client",
        lambda: (
            m.Client.select(m.Client.id, m.Client.department, m.Client.assigned_staff).where(m.Client.id == 0).limit(1)
        ),
        (client_id, 1),
    ).fetchone()
    if row is None:
        return resolve(actor)
    return require_client(actor, row[1], row[2])


def _require_via(actor: Actor | None, client) -> Actor:
    if client is None:
        return resolve(actor)
    return require_client(actor, client.department_id, client.assigned_staff_id)


def require_call(actor: Actor | None, call_id: int) -> Actor:
    from soptui.db import models as m

    return _require_via(actor, _client_of(m.PhoneCall, call_id))


def require_reminder(actor: Actor | None, reminder_id: int) -> Actor:
    from soptui.db import models as m

    return _require_via(actor, _client_of(m.Reminder, reminder_id))


def require_visit(actor: Actor | None, visit_id: int | None) -> Actor:
    from soptui.db import models as m

    return _require_via(actor, _client_of(m.PatronageVisit, visit_id))


def require_person(actor: Actor | None, client_id: int, kind: str, person_id: int | None) -> Actor:
    """The client's file, and the person (representative or relative) really belongs to that client."""
    from soptui.db import models as m

    actor = require_client_id(actor, client_id)
    if person_id is not None:
        model = m.Representative if kind == "representative" else m.Contact
        row = model.get_or_none(model.id == person_id)
        if row is not None and row.client_id != client_id:
            raise AccessDenied("Этот человек записан в деле другого клиента.")
    return actor


def require_department(actor: Actor | None, department_id: int | None) -> Actor:
    """Department-level records (clubs and their sessions): staff of that department, its head, the centre's."""
    actor = require_staff(actor)
    if department_id is None or actor.department_id in (None, department_id):
        return actor
    raise AccessDenied("Нет доступа к записям другого отделения.")


def require_department_scope(actor: Actor | None, department_id: int | None) -> int | None:
    """The department a department-wide listing (the visit planner, the field-visit schedule)
    covers for the actor: the one asked for, if they may see it; «every department» (None) only for those who
    see every department. Anyone else gets their own department, whatever the caller asked for."""
    actor = require_department(actor, department_id)
    if department_id is None and not actor.sees_all_departments:
        return actor.department_id
    return department_id


def own_clients_only(actor: Actor | None = None) -> bool:
    """A specialist with no department works only with the clients assigned to them: a department-wide listing
    (planner, field-visit schedule, groups export) shows them their own records, never the whole centre's, which
    «every department» (None) would otherwise mean."""
    return client_scope(resolve(actor))[0] == "assigned"


def own_clients_condition(client_model, actor: Actor | None = None):
    """The clients someone working only with their own may see, as a condition on `client_model` (a peewee model
    or alias of Client): assigned to them, or routed to nobody and assigned to nobody (may_see_client)."""
    me = resolve(actor).id
    return (client_model.assigned_staff == me) | (
        client_model.department.is_null() & client_model.assigned_staff.is_null()
    )


def own_staff_scope(actor: Actor | None, staff_id: int | None) -> int | None:
    """The staff member a listing may be narrowed to: for someone working only with their own clients, always
    themselves (another's week or schedule is refused); for anyone else, whoever was asked for."""
    actor = resolve(actor)
    if not own_clients_only(actor):
        return staff_id
    if staff_id not in (None, actor.id):
        raise AccessDenied("Нет доступа к записям другого сотрудника.")
    return actor.id


def require_club(actor: Actor | None, club_id: int | None) -> Actor:
    from soptui.db import models as m

    club = m.Club.get_or_none(m.Club.id == club_id) if club_id is not None else None
    actor = require_staff(actor)
    if club is not None and actor.department_id not in (None, club.department_id):
        # SOP 05: a club's leaders may come from several departments; each leads its sessions
        leads = m.ClubLeader.select().where((m.ClubLeader.club == club.id) & (m.ClubLeader.staff == actor.id))
        if leads.exists():
            return actor
    return require_department(actor, club.department_id if club else None)


def require_session(actor: Actor | None, session_id: int | None) -> Actor:
    from soptui.db import models as m

    s = m.GroupSession.get_or_none(m.GroupSession.id == session_id) if session_id is not None else None
    return require_club(actor, s.club_id if s else None)


def require_member(actor: Actor | None, member_id: int) -> Actor:
    from soptui.db import models as m

    member = m.ClubMember.get_or_none(m.ClubMember.id == member_id)
    return require_club(actor, member.club_id if member else None)


def require_feedback(actor: Actor | None, feedback_id: int) -> Actor:
    from soptui.db import models as m

    row = m.SessionFeedback.get_or_none(m.SessionFeedback.id == feedback_id)
    return require_session(actor, row.session_id if row else None)


def may(check: Callable[..., Actor], actor: Actor | None, *args) -> bool:
    """Whether one of the require_* checks lets the actor through (to offer an action only where it will work)."""
    try:
        check(actor, *args)
    except AccessDenied:
        return False
    return True


def centre_actor(staff_id: int | None) -> Actor:
    """The head of the centre, for set-up work done on the institution's behalf (the demo build, imports)."""
    return Actor(
        id=staff_id,  # None while nobody exists yet: audit rows then name no one
        login="",
        full_name="",
        short_name="",
        position="head",
        position_label="",
        role="head",
        department_id=None,
        department_name="",
        idle_lock_minutes=0,
    )


class acting_as:  # noqa: N801 - used as a context manager
    """Run a block as another actor (set-up code, tests), restoring the signed-in one afterwards."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.before: Actor | None = None

    def __enter__(self) -> Actor:
        self.before = session.current()
        session.set_actor(self.actor)
        return self.actor

    def __exit__(self, *exc) -> None:
        session.set_actor(self.before)
