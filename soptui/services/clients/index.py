"""The client search index: one `ClientSearchTerm` row per name word, name-word prefix and phone.

Kinds: "n" = folded name word, "f" = its first 1..PREFIX_LEN letters, "p" = the 10 national phone digits,
"r" = the same reversed so "last 4 digits" is a prefix range too. The weight says whose word or phone it is.
"""

from __future__ import annotations

from soptui.core.phones import national_digits
from soptui.core.text import search_words
from soptui.db import models as m

NAME, PREFIX, PHONE, PHONE_REVERSED = "n", "f", "p", "r"
PREFIX_LEN = 6  # name-word prefixes up to this length are stored as their own terms

# weights of search terms: who the matched word or phone belongs to
W_OWN_NAME, W_OWN_PHONE, W_REPRESENTATIVE, W_CONTACT = 0, 1, 2, 3


def terms_of(people: list[tuple[str, int]], phones: list[tuple[str, int]]) -> list[tuple[str, str, int]]:
    """Search terms of full names and phones, each with the weight of whose it is (plain Python: no database)."""
    terms: set[tuple[str, str, int]] = set()
    for full_name, weight in people:
        for word in search_words(full_name):
            terms.add((NAME, word, weight))
    for value, weight in phones:
        d = national_digits(value)
        if d:
            terms.add((PHONE, d, weight))
            terms.add((PHONE_REVERSED, d[::-1], weight))
    for kind, term, weight in list(terms):
        if kind == NAME:
            for n in range(1, min(len(term), PREFIX_LEN) + 1):
                terms.add((PREFIX, term[:n], weight))
    # a word both in the client's name and a relative's keeps the better weight
    best: dict[tuple[str, str], int] = {}
    for kind, term, weight in terms:
        best[(kind, term)] = min(weight, best.get((kind, term), 9))
    return [(k, t, w) for (k, t), w in best.items()]


def new_client_terms(last_name: str, first_name: str, patronymic: str, phones: list[str]) -> list[tuple[str, str, int]]:
    """The terms of a client about to be created (own name and phones only): worked out before the write."""
    return terms_of([(f"{last_name} {first_name} {patronymic}", W_OWN_NAME)], [(p, W_OWN_PHONE) for p in phones])


def index_terms(client: m.Client, new: bool = False) -> list[tuple[str, str, int]]:
    """Search terms of a client: own name words (0), own phones (1), representatives' (2), contacts' (3).

    `new`: a client inserted in the caller's transaction, who has no representatives or contacts yet."""
    people = [(f"{client.last_name} {client.first_name} {client.patronymic}", W_OWN_NAME)]
    phones = [
        (cp.value, W_OWN_PHONE)
        for cp in m.ContactPoint.select().where(
            (m.ContactPoint.client == client.id) & (m.ContactPoint.channel == "phone")
        )
    ]
    reps = [] if new else list(m.Representative.select().where(m.Representative.client == client.id))
    contacts = [] if new else list(m.Contact.select().where(m.Contact.client == client.id))
    for person, weight in [(r, W_REPRESENTATIVE) for r in reps] + [(c, W_CONTACT) for c in contacts]:
        people.append((f"{person.last_name} {person.first_name} {person.patronymic}", weight))
    rep_ids = [p.id for p in reps]
    contact_ids = [p.id for p in contacts]
    if rep_ids or contact_ids:
        cond = m.ContactPoint.channel == "phone"
        owner = (m.ContactPoint.representative.in_(rep_ids or [0])) | (m.ContactPoint.contact.in_(contact_ids or [0]))
        for cp in m.ContactPoint.select().where(cond & owner):
            phones.append((cp.value, W_REPRESENTATIVE if cp.representative_id else W_CONTACT))
    return terms_of(people, phones)


def reindex(
    client_id: int, new_client: m.Client | None = None, terms: list[tuple[str, str, int]] | None = None
) -> None:
    """Rebuild one client's search terms (call inside the write transaction that changed them).

    `new_client`: the row of a client inserted in this same transaction (no terms to delete, no
    representatives or contacts yet, nothing to read back); `terms`: its terms, worked out before the write
    (new_client_terms), so the writers' lock is not held while they are."""
    if new_client is None:
        client = m.Client.get_by_id(client_id)
        m.ClientSearchTerm.delete().where(m.ClientSearchTerm.client == client_id).execute()
        terms = index_terms(client)
    else:
        client = new_client
        terms = terms if terms is not None else index_terms(client, new=True)
    from soptui.db import prepared

    prepared.insert_many(
        m.ClientSearchTerm,
        ("client", "kind", "term", "weight", "sort_key"),
        [(client_id, k, t, w, client.name_key) for k, t, w in terms],
    )
