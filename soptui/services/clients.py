"""Client registry service: the search index (this module), search, card, create and edit."""

from __future__ import annotations

from ..db import models as m
from ..phones import national_digits
from ..text import search_words

NAME, PHONE, PHONE_REVERSED = "n", "p", "r"


def index_terms(client: m.Client) -> list[tuple[str, str, int]]:
    """Search terms of a client: own name words (weight 0), own phones (1), relatives' (2)."""
    terms: set[tuple[str, str, int]] = set()
    for word in search_words(f"{client.last_name} {client.first_name} {client.patronymic}"):
        terms.add((NAME, word, 0))

    def add_phone(value: str, weight: int) -> None:
        d = national_digits(value)
        if d:
            terms.add((PHONE, d, weight))
            terms.add((PHONE_REVERSED, d[::-1], weight))

    for cp in m.ContactPoint.select().where((m.ContactPoint.client == client.id)
                                            & (m.ContactPoint.channel == "phone")):
        add_phone(cp.value, 1)
    people = list(m.Representative.select().where(m.Representative.client == client.id)) + list(
        m.Contact.select().where(m.Contact.client == client.id))
    for person in people:
        for word in search_words(f"{person.last_name} {person.first_name} {person.patronymic}"):
            terms.add((NAME, word, 2))
    rep_ids = [p.id for p in people if isinstance(p, m.Representative)]
    contact_ids = [p.id for p in people if isinstance(p, m.Contact)]
    if rep_ids or contact_ids:
        cond = m.ContactPoint.channel == "phone"
        owner = (m.ContactPoint.representative.in_(rep_ids or [0])) | (
            m.ContactPoint.contact.in_(contact_ids or [0]))
        for cp in m.ContactPoint.select().where(cond & owner):
            add_phone(cp.value, 2)
    # a word both in the client's name and a relative's keeps the better weight
    best: dict[tuple[str, str], int] = {}
    for kind, term, weight in terms:
        best[(kind, term)] = min(weight, best.get((kind, term), 9))
    return [(k, t, w) for (k, t), w in best.items()]


def reindex(client_id: int) -> None:
    """Rebuild one client's search terms (call inside the write transaction that changed them)."""
    client = m.Client.get_by_id(client_id)
    m.ClientSearchTerm.delete().where(m.ClientSearchTerm.client == client_id).execute()
    rows = [{"client": client_id, "kind": k, "term": t, "weight": w} for k, t, w in index_terms(client)]
    if rows:
        m.ClientSearchTerm.insert_many(rows).execute()
