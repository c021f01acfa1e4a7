"""What the client-registry modules share: the "client gone" error, loading a client the actor may see,
and replacing the contact points of a client or one of their people."""

from __future__ import annotations

from soptui.core import session
from soptui.db import models as m
from soptui.services import access
from soptui.services.errors import AccessDenied


def can_see(actor: session.Actor | None, department_id: int | None, assigned_staff_id: int | None) -> bool:
    """Whether the actor (or the signed-in one) may see a client (services/access.py: the one rule)."""
    return access.may_see_client(access.resolve(actor), department_id, assigned_staff_id)


class ClientGone(Exception):
    """The client was deleted (by someone else) and no longer exists."""


def load_client(client_id: int, actor: session.Actor | None) -> m.Client:
    """The stored client; ClientGone if deleted, AccessDenied if the actor may not see them."""
    client = m.Client.get_or_none(m.Client.id == client_id)
    if client is None:
        raise ClientGone()
    if not can_see(actor, client.department_id, client.assigned_staff_id):
        raise AccessDenied()
    return client


def replace_points(
    owner: dict[str, int], phones: list[str], messengers: list[tuple[str, str]], new: bool = False
) -> None:
    """Replace the phones and messengers of one owner ({"client"|"representative"|"contact": id}), dropping repeats.

    `new`: an owner inserted in the caller's transaction, who has none yet."""
    key, value = next(iter(owner.items()))
    if not new:
        m.ContactPoint.delete().where(getattr(m.ContactPoint, key) == value).execute()
    rows = [{key: value, "channel": "phone", "value": p} for p in dict.fromkeys(phones)]
    rows += [{key: value, "channel": ch, "value": h} for ch, h in dict.fromkeys(map(tuple, messengers))]
    if rows:
        m.ContactPoint.insert_many(rows).execute()
