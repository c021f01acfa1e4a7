"""Typed navigation: what a Today row, a card tab or a card key opens, and the message that asks for it.

A screen posts ``Open(target)`` (or calls ``app.open(target)``); the App switches to the section that owns
the target and pushes its screen. The services describe a row's target as a plain ``(kind, id)`` pair
(they know nothing of screens); ``target_of`` turns that pair into a typed target, in this one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass(frozen=True)
class OpenClient:
    """A client's card, over the current screen."""

    client_id: int


@dataclass(frozen=True)
class NewReferral:
    """The intake form for a new referral of an existing client (None: a new client)."""

    client_id: int | None = None


@dataclass(frozen=True)
class NewCall:
    """Calls section: choose the SOP and the person, then the teleprompter."""

    client_id: int


@dataclass(frozen=True)
class OpenCall:
    """Calls section: resume an unfinished call or show a finished one."""

    call_id: int


@dataclass(frozen=True)
class OpenReminder:
    """Calls section: a callback, control point or messenger session."""

    reminder_id: int


@dataclass(frozen=True)
class OpenVisit:
    """Patronage section: doing a visit, its record, or confirming a call-drafted one."""

    visit_id: int


@dataclass(frozen=True)
class NewVisit:
    """Patronage section: plan a visit for a client, the form prefilled from the card."""

    client_id: int


@dataclass(frozen=True)
class OpenSession:
    """A group session's roll-call."""

    session_id: int


@dataclass(frozen=True)
class AddToGroup:
    """Choose a club for a client, then the joining dates."""

    client_id: int


@dataclass(frozen=True)
class ResumeDraft:
    """«Незавершённое»: the form a draft belongs to, reopened with the draft restored."""

    draft_id: int


Target = (
    ResumeDraft
    | OpenClient
    | NewReferral
    | NewCall
    | OpenCall
    | OpenReminder
    | OpenVisit
    | NewVisit
    | OpenSession
    | AddToGroup
)


def target_of(ref: tuple[str, int]) -> Target:
    """The typed target of a services row's ``(kind, id)`` (TodayItem.target, TabRow.target)."""
    kind, ident = ref
    match kind:
        case "client":
            return OpenClient(ident)
        case "call":
            return OpenCall(ident)
        case "reminder":
            return OpenReminder(ident)
        case "visit":
            return OpenVisit(ident)
        case "session":
            return OpenSession(ident)
        case "draft":
            return ResumeDraft(ident)
    raise ValueError(f"unknown target kind: {kind!r}")


@dataclass
class Open(Message):
    """Ask the App to open a target; posted by a screen, handled by ``SoptuiApp.on_open``."""

    target: Target
