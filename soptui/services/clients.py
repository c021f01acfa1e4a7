"""Client registry service: the search index, search, card, create and edit, status lifecycle.

Search works on `ClientSearchTerm` rows (kind "n" = folded name word, "p" = the
10 national phone digits, "r" = the same reversed so "last 4 digits" is a prefix
range too). Each query word becomes an index range; the per-word client sets are
joined in SQL, filtered, ordered by the best weight then the name, and paged.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

import peewee as pw

from soptui.core import clock, session
from soptui.core.phones import format_phone, national_digits
from soptui.core.text import fold, full_name, search_words, short_name
from soptui.db import models as m
from soptui.db import store
from soptui.db.connection import db, write_transaction
from soptui.domain import workdays
from soptui.domain.agenda import TodayItem
from soptui.domain.labels import CATEGORIES, CHANNELS, CLIENT_STATUSES, GROUNDS, INTAKE_LOGS
from soptui.services import access
from soptui.services.errors import AccessDenied  # noqa: F401  (re-exported: area.AccessDenied)

NAME, PREFIX, PHONE, PHONE_REVERSED = "n", "f", "p", "r"
PREFIX_LEN = 6  # name-word prefixes up to this length are stored as their own terms

# weights of search terms: who the matched word or phone belongs to
W_OWN_NAME, W_OWN_PHONE, W_REPRESENTATIVE, W_CONTACT = 0, 1, 2, 3

MAX_WORDS = 6
MAX_WORD_LEN = 40
COUNT_CAP = 1000
MAX_LIMIT = 500


class ClientGone(Exception):
    """The client was deleted (by someone else) and no longer exists."""


# --- the search index ---------------------------------------------------------------


def index_terms(client: m.Client) -> list[tuple[str, str, int]]:
    """Search terms of a client: own name words (0), own phones (1), representatives' (2), contacts' (3)."""
    terms: set[tuple[str, str, int]] = set()
    for word in search_words(f"{client.last_name} {client.first_name} {client.patronymic}"):
        terms.add((NAME, word, W_OWN_NAME))

    def add_phone(value: str, weight: int) -> None:
        d = national_digits(value)
        if d:
            terms.add((PHONE, d, weight))
            terms.add((PHONE_REVERSED, d[::-1], weight))

    for cp in m.ContactPoint.select().where((m.ContactPoint.client == client.id) & (m.ContactPoint.channel == "phone")):
        add_phone(cp.value, W_OWN_PHONE)
    reps = list(m.Representative.select().where(m.Representative.client == client.id))
    contacts = list(m.Contact.select().where(m.Contact.client == client.id))
    for person, weight in [(r, W_REPRESENTATIVE) for r in reps] + [(c, W_CONTACT) for c in contacts]:
        for word in search_words(f"{person.last_name} {person.first_name} {person.patronymic}"):
            terms.add((NAME, word, weight))
    rep_ids = [p.id for p in reps]
    contact_ids = [p.id for p in contacts]
    if rep_ids or contact_ids:
        cond = m.ContactPoint.channel == "phone"
        owner = (m.ContactPoint.representative.in_(rep_ids or [0])) | (m.ContactPoint.contact.in_(contact_ids or [0]))
        for cp in m.ContactPoint.select().where(cond & owner):
            add_phone(cp.value, W_REPRESENTATIVE if cp.representative_id else W_CONTACT)
    for kind, term, weight in list(terms):
        if kind == NAME:
            for n in range(1, min(len(term), PREFIX_LEN) + 1):
                terms.add((PREFIX, term[:n], weight))
    # a word both in the client's name and a relative's keeps the better weight
    best: dict[tuple[str, str], int] = {}
    for kind, term, weight in terms:
        best[(kind, term)] = min(weight, best.get((kind, term), 9))
    return [(k, t, w) for (k, t), w in best.items()]


def reindex(client_id: int) -> None:
    """Rebuild one client's search terms (call inside the write transaction that changed them)."""
    client = m.Client.get_by_id(client_id)
    m.ClientSearchTerm.delete().where(m.ClientSearchTerm.client == client_id).execute()
    rows = [
        {"client": client_id, "kind": k, "term": t, "weight": w, "sort_key": client.name_key}
        for k, t, w in index_terms(client)
    ]
    if rows:
        m.ClientSearchTerm.insert_many(rows).execute()


# --- search -----------------------------------------------------------------------


@dataclass(frozen=True)
class SearchFilters:
    """Filters of the registry list; None = any."""

    department_id: int | None = None
    status: str | None = None
    assigned_staff_id: int | None = None
    category: str | None = None
    only_mine: bool = False


@dataclass(frozen=True)
class ClientRow:
    id: int
    full_name: str
    birth_date: dt.date | None
    category: str
    category_label: str
    status: str
    status_label: str
    department: str
    assigned: str
    phone: str  # the main phone, formatted
    matched_by: str  # "ФИО", "телефон представителя", ...
    no_consent: bool = False  # no consent to personal-data processing on file (flagged in the list)


@dataclass(frozen=True)
class SearchResult:
    rows: list[ClientRow]
    total: int
    total_capped: bool = False  # there are more than `total` (COUNT_CAP) matches
    total_known: bool = True  # False: search(with_total=False) stopped at the page
    corrected: str = ""  # nothing matched as typed: these are the matches of this spelling ("иванова")

    @property
    def total_text(self) -> str:
        return f"{self.total}+" if self.total_capped or not self.total_known else str(self.total)


@dataclass(frozen=True)
class _Word:
    kind: str  # "name" / "phone" / "date"
    value: Any
    national: str = ""  # phone typed with the trunk prefix (+7…, 8 9…): its national digits


def _phone_ranges(word: _Word) -> list[tuple[str, str]]:
    """(kind, prefix) index ranges a phone fragment is looked up with."""
    d: str = word.value
    if word.national and word.national == d:  # "+7 912…": certainly the start of the number
        return [(PHONE, d)]
    ranges = [(PHONE, d), (PHONE_REVERSED, d[::-1])]
    if word.national:
        ranges.append((PHONE, word.national))
    return ranges


_DATE_RE = re.compile(r"(?<!\d)(\d{1,2})\.(\d{1,2})\.(\d{4})(?!\d)")
_PHONE_RUN_RE = re.compile(r"\+?\d[\d\s()\-]*")
_LETTERS_RE = re.compile(r"[a-zа-я]+")


def parse_query(query: str) -> list[_Word]:
    """Split a typed query into name prefixes, phone digit runs and birth dates.

    Any characters are accepted; words are truncated and their number capped so
    a pasted 10,000-character string costs nothing.
    """
    text = fold((query or "")[:400])
    words: list[_Word] = []

    def take_date(mt: re.Match) -> str:
        try:
            words.append(_Word("date", dt.date(int(mt.group(3)), int(mt.group(2)), int(mt.group(1)))))
        except ValueError:
            pass
        return " "

    text = _DATE_RE.sub(take_date, text)
    text = re.sub(r"\d+\.[\d.]*", " ", text)  # an incomplete date being typed: ignore for now

    def take_phone(mt: re.Match) -> str:
        raw = mt.group(0).strip()
        all_digits = re.sub(r"\D", "", raw)[:MAX_WORD_LEN]
        value, national = all_digits, ""
        if raw.startswith("+7"):
            value = national = all_digits[1:]  # the country code typed: the rest is the number's start
        elif len(all_digits) == 11 and all_digits[0] in "78":
            value = national = all_digits[1:]
        elif raw.startswith("8") and len(all_digits) >= 4 and (len(all_digits) >= 7 or re.match(r"8[\s(\-]", raw)):
            national = all_digits[1:]  # "8 912…": probably the trunk prefix, maybe digits from the middle
        if len(value) >= 3:
            words.append(_Word("phone", value, national))
        return " "

    text = _PHONE_RUN_RE.sub(take_phone, text)
    for word in _LETTERS_RE.findall(text):
        words.append(_Word("name", word[:MAX_WORD_LEN]))
    # keep the first MAX_WORDS, dropping exact repeats
    seen: set[tuple[str, Any]] = set()
    result = []
    for w in words:
        if (w.kind, w.value) not in seen:
            seen.add((w.kind, w.value))
            result.append(w)
    return result[:MAX_WORDS]


def _visibility(actor: session.Actor | None) -> tuple[str, list[Any]]:
    """SQL condition on client `c` for what the actor may see (services/access.py: the one rule)."""
    P = db.param
    kind, value = access.client_scope(access.resolve(actor))
    if kind == "all":
        return "1=1", []
    if kind == "department":
        unrouted = f"(c.department_id IS NULL AND (c.assigned_staff_id IS NULL OR c.assigned_staff_id = {P}))"
        return f"(c.department_id = {P} OR {unrouted})", [value, access.resolve(actor).id]
    if kind == "assigned":
        return f"c.assigned_staff_id = {P}", [value]
    return "1=0", []


def can_see(actor: session.Actor | None, department_id: int | None, assigned_staff_id: int | None) -> bool:
    return access.may_see_client(access.resolve(actor), department_id, assigned_staff_id)


def _filter_sql(filters: SearchFilters | None, actor: session.Actor | None) -> tuple[str, list[Any]]:
    P = db.param
    cond, params = _visibility(actor)
    parts, params = [cond], list(params)
    f = filters or SearchFilters()
    if f.department_id is not None:
        parts.append(f"c.department_id = {P}")
        params.append(f.department_id)
    if f.status:
        parts.append(f"c.status = {P}")
        params.append(f.status)
    if f.category:
        parts.append(f"c.category = {P}")
        params.append(f.category)
    if f.assigned_staff_id is not None:
        parts.append(f"c.assigned_staff_id = {P}")
        params.append(f.assigned_staff_id)
    if f.only_mine and actor is not None:
        parts.append(f"c.assigned_staff_id = {P}")
        params.append(actor.id)
    return " AND ".join(parts), params


def _word_subquery(word: _Word) -> tuple[str, list[Any]]:
    """SQL returning (client_id, w) for the clients one query word matches."""
    P = db.param
    if word.kind == "date":
        return f"SELECT id AS client_id, 0 AS w FROM client WHERE birth_date = {P}", [word.value]
    if word.kind == "phone":
        ranges = _phone_ranges(word)
        union = " UNION ALL ".join(
            f"SELECT client_id, weight FROM client_search_term WHERE kind = {P} AND term >= {P} AND term < {P}"
            for _ in ranges
        )
        params: list[Any] = []
        for kind, prefix in ranges:
            params += [kind, prefix, prefix + "\uffff"]
        return f"SELECT client_id, MIN(weight) AS w FROM ({union}) t GROUP BY client_id", params
    prefix: str = word.value
    return (
        f"SELECT client_id, MIN(weight) AS w FROM client_search_term "
        f"WHERE kind = {P} AND term >= {P} AND term < {P} GROUP BY client_id",
        [NAME, prefix, prefix + "\uffff"],
    )


_NAME_LABELS = {0: "ФИО", 2: "ФИО представителя", 3: "ФИО родственника"}
_PHONE_LABELS = {1: "телефон", 2: "телефон представителя", 3: "телефон родственника"}


def _matched_label(words: list[_Word], weights: tuple) -> str:
    labels: list[str] = []
    for word, w in zip(words, weights):
        if word.kind == "date":
            label = "дата рождения"
        elif word.kind == "phone":
            label = _PHONE_LABELS.get(w, "телефон")
        else:
            label = _NAME_LABELS.get(w, "ФИО")
        if label not in labels:
            labels.append(label)
    return ", ".join(labels)


def _plus(column: str) -> str:
    """`+column` on SQLite: keeps the planner off that column's index (used in per-client checks)."""
    from soptui.db.connection import is_sqlite

    return f"+{column}" if is_sqlite() else column


def _name_check(word: _Word, client_col: str) -> tuple[str, list[Any]]:
    """EXISTS: the client has a name word starting with word (looked up through its own terms)."""
    P = db.param
    prefix: str = word.value
    return (
        f"EXISTS (SELECT 1 FROM client_search_term x WHERE x.client_id = {client_col} "
        f"AND x.kind = {P} AND x.term >= {P} AND x.term < {P})",
        [NAME, prefix, prefix + "\uffff"],
    )


SMALL_SET = 300  # a phone fragment or date matching fewer clients drives the query


def _set_size(word: _Word) -> int:
    """How many index rows a phone fragment or a date matches, counted up to SMALL_SET."""
    P = db.param
    if word.kind == "date":
        sql = f"SELECT COUNT(*) FROM (SELECT 1 FROM client WHERE birth_date = {P} LIMIT {P}) x"
        return db.execute_sql(sql, [word.value, SMALL_SET]).fetchone()[0]
    total = 0
    for kind, prefix in _phone_ranges(word):
        sql = (
            f"SELECT COUNT(*) FROM (SELECT 1 FROM client_search_term WHERE kind = {P} AND term >= {P} "
            f"AND term < {P} LIMIT {P}) x"
        )
        total += db.execute_sql(sql, [kind, prefix, prefix + "\uffff", SMALL_SET]).fetchone()[0]
        if total >= SMALL_SET:
            break
    return total


def _pick_driver(names: list[_Word]) -> _Word:
    """The name word with the fewest prefix rows (counted up to a cap) drives; ties go to the longer."""
    if len(names) == 1:
        return names[0]
    P = db.param
    sizes = {}
    for w in names:
        sql = f"SELECT COUNT(*) FROM (SELECT 1 FROM client_search_term WHERE kind = {P} AND term = {P} LIMIT {P}) x"
        sizes[id(w)] = db.execute_sql(sql, [PREFIX, w.value[:PREFIX_LEN], DRIVER_PROBE]).fetchone()[0]
    return min(names, key=lambda w: (sizes[id(w)], -len(w.value)))


DRIVER_PROBE = 3000


def _checks(words: list[_Word], client_col: str) -> tuple[list[str], list[Any]]:
    """Per-client conditions for query words that do not drive the query."""
    P = db.param
    sqls: list[str] = []
    params: list[Any] = []
    for w in words:
        if w.kind == "name":
            sql, p = _name_check(w, client_col)
        elif w.kind == "date":
            sql, p = f"c.birth_date = {P}", [w.value]
        else:
            ranges = _phone_ranges(w)
            ors = " OR ".join(f"(x.kind = {P} AND x.term >= {P} AND x.term < {P})" for _ in ranges)
            sql = f"EXISTS (SELECT 1 FROM client_search_term x WHERE x.client_id = {client_col} AND ({ors}))"
            p = [v for kind, prefix in ranges for v in (kind, prefix, prefix + "\uffff")]
        sqls.append(sql)
        params += p
    return sqls, params


# --- forgiving search: a misspelt name word is replaced by the closest indexed one ----------------------

FUZZY_MIN_LEN = 4  # shorter words are too ambiguous to correct
FUZZY_SCAN_CAP = 20000  # distinct index words looked at per misspelt word (one first letter's worth)


def _within_distance(a: str, b: str, k: int) -> int | None:
    """Optimal-string-alignment distance of a and b if it is at most k (a swap of two letters counts 1)."""
    if abs(len(a) - len(b)) > k:
        return None
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > k:
            return None
        prev2, prev = prev, cur
    return prev[-1] if prev[-1] <= k else None


def _known_prefix(word: str) -> bool:
    P = db.param
    return (
        db.execute_sql(
            f"SELECT 1 FROM client_search_term WHERE kind = {P} AND term >= {P} AND term < {P} LIMIT 1",
            [NAME, word, word + "\uffff"],
        ).fetchone()
        is not None
    )


def closest_word(word: str) -> str | None:
    """The indexed name word (or its start) nearest to a misspelt typed word, or None.

    The typed word may be unfinished, so it is compared with the starts of indexed words of about
    its length: «ивонов» → «иванов», «сакол» → «сокол», «петрова» → «петрова». Only words with
    the same first letter are read (one index range); ties go to the more common word.
    """
    access.require_staff(None)  # access: staff
    if len(word) < FUZZY_MIN_LEN:
        return None
    P = db.param
    k = 1 if len(word) <= 6 else 2
    rows = db.execute_sql(
        f"SELECT term, COUNT(*) FROM client_search_term WHERE kind = {P} AND term >= {P} "
        f"AND term < {P} GROUP BY term LIMIT {P}",
        [NAME, word[0], word[0] + "\uffff", FUZZY_SCAN_CAP],
    ).fetchall()
    best: tuple[int, int, int, str] | None = None
    for term, count in rows:
        for n in range(len(word) - k, min(len(term), len(word) + k) + 1):
            distance = _within_distance(word, term[:n], k)
            if distance is not None:
                # nearest spelling first, then the start of about the typed length, then the commoner word
                candidate = (distance, abs(n - len(word)), -count, term[:n])
                if best is None or candidate < best:
                    best = candidate
    return best[3] if best else None


def corrected_query(query: str) -> str:
    """The typed query with each name word that starts no indexed word replaced by the closest one ("" if none)."""
    access.require_staff(None)  # access: staff
    words = [w for w in parse_query(query) if w.kind == "name"]
    text = fold((query or "")[:400])
    changed = False
    for w in words:
        if len(w.value) < FUZZY_MIN_LEN or _known_prefix(w.value):
            continue
        better = closest_word(w.value)
        if better and better != w.value:
            text = re.sub(rf"(?<![a-zа-я]){re.escape(w.value)}(?![a-zа-я])", better, text, count=1)
            changed = True
    return " ".join(text.split()) if changed else ""


def search(
    query: str,
    filters: SearchFilters | None = None,
    limit: int = 50,
    offset: int = 0,
    with_total: bool = True,
    forgiving: bool = True,
) -> SearchResult:
    """Best matches of the query; when nothing matches as typed, the matches of the corrected spelling.

    A result found through a corrected spelling says so in `corrected` (the registry shows it).
    """
    access.require_staff(None)  # access: staff
    result = _search(query, filters, limit, offset, with_total)
    if result.rows or not forgiving or not (query or "").strip():
        return result
    better = corrected_query(query)
    if not better:
        return result
    fixed = _search(better, filters, limit, offset, with_total)
    return replace(fixed, corrected=better) if fixed.rows or fixed.total else result


def _search(
    query: str, filters: SearchFilters | None = None, limit: int = 50, offset: int = 0, with_total: bool = True
) -> SearchResult:
    """Best matches of a typed query among the clients the signed-in person may see.

    Names only: the longest word drives, read in result order (weight, name) from the
    prefix index and stopped at the page; the other words are per-client checks.
    With a phone or a birth date: those small sets are intersected, names checked.
    Empty query without filters: the person's own clients (if they have any), newest first;
    otherwise the most recently added. with_total=False skips counting beyond the page (total is then a lower bound and
    `total_known` is False): the registry shows the page first and counts in a second step.
    """
    P = db.param
    actor = session.current()
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    where, where_params = _filter_sql(filters, actor)
    words = parse_query(query)
    cap = [COUNT_CAP + 1]
    if not words:
        if (query or "").strip():
            return SearchResult([], 0)  # only characters that cannot match anything
        if (
            actor is not None
            and (filters is None or filters == SearchFilters())
            and db.execute_sql(f"SELECT 1 FROM client WHERE assigned_staff_id = {P} LIMIT 1", [actor.id]).fetchone()
        ):
            where, where_params = f"{where} AND c.assigned_staff_id = {P}", where_params + [actor.id]
        sql = f"SELECT c.id FROM client c WHERE {where} ORDER BY c.id DESC LIMIT {P} OFFSET {P}"
        ids = [(r[0], ()) for r in db.execute_sql(sql, where_params + [limit, offset]).fetchall()]
        count_sql = f"SELECT COUNT(*) FROM (SELECT 1 FROM client c WHERE {where} LIMIT {P}) x"
        total = db.execute_sql(count_sql, where_params + cap).fetchone()[0]
        return SearchResult(_rows_for(ids, words), min(total, COUNT_CAP), total > COUNT_CAP)
    names = [w for w in words if w.kind == "name"]
    small, big = [], []
    for w in words:
        if w.kind != "name":
            (small if _set_size(w) < SMALL_SET else big).append(w)
    if names and not small:
        # the longest name word drives, read from the index in result order and stopped at the page
        driver = _pick_driver(names)
        checks, check_params = _checks(
            [w for w in names if w is not driver or len(w.value) > PREFIX_LEN] + big, "t.client_id"
        )
        cond = " AND ".join([where] + checks)
        base = (
            f"FROM client_search_term t CROSS JOIN client c WHERE t.kind = {P} AND t.term = {P} "
            f"AND c.id = t.client_id AND {cond}"
        )
        base_params = [PREFIX, driver.value[:PREFIX_LEN]] + where_params + check_params
        rows = db.execute_sql(
            f"SELECT t.client_id, t.weight {base} ORDER BY t.weight, t.sort_key, t.client_id LIMIT {P} OFFSET {P}",
            base_params + [limit, offset],
        ).fetchall()
        count_from = f"SELECT 1 {base}"
        known = {driver: {r[0]: r[1] for r in rows}} if len(driver.value) <= PREFIX_LEN else {}
    else:
        # a phone fragment or a birth date: small sets intersected, the rest checked per client
        drivers = small or big
        ctes, cte_params = [], []
        for i, word in enumerate(drivers):
            sub, params = _word_subquery(word)
            ctes.append(f"w{i} AS ({sub})")
            cte_params += params
        joins = " ".join(f"JOIN w{i} ON w{i}.client_id = w0.client_id" for i in range(1, len(drivers)))
        checks, check_params = _checks(names + (big if small else []), "w0.client_id")
        cond = " AND ".join([where] + checks)
        score = " + ".join(f"w{i}.w" for i in range(len(drivers)))
        prefix_sql = f"WITH {', '.join(ctes)} "
        base = f"FROM w0 {joins} JOIN client c ON c.id = w0.client_id WHERE {cond}"
        base_params = cte_params + where_params + check_params
        wcols = ", ".join(f"w{i}.w" for i in range(len(drivers)))
        rows = db.execute_sql(
            f"{prefix_sql}SELECT c.id, {wcols} {base} ORDER BY {score}, c.name_key, c.id LIMIT {P} OFFSET {P}",
            base_params + [limit, offset],
        ).fetchall()
        count_from = f"{prefix_sql}SELECT 1 {base}"
        known = {w: {r[0]: r[1 + i] for r in rows} for i, w in enumerate(drivers)}
    ids = [r[0] for r in rows]
    weights = _word_weights(ids, words, known)
    if names and not small and len(driver.value) > PREFIX_LEN:
        # the index ordered by the weight of the word's first PREFIX_LEN letters: a boy Петров whose mother
        # is Петрова came before the girl Петрова for «петрова». Within the page, own-name matches go first.
        slot = words.index(driver)
        ids.sort(key=lambda i: weights.get(i, (9,) * len(words))[slot])
    page = _rows_for([(i, weights.get(i, ())) for i in ids], words)
    if offset == 0 and len(ids) < limit:
        total = len(ids)
    elif not with_total:
        return SearchResult(page, offset + len(ids), False, total_known=False)
    else:
        total = db.execute_sql(f"SELECT COUNT(*) FROM ({count_from} LIMIT {P}) x", base_params + cap).fetchone()[0]
    return SearchResult(page, min(total, COUNT_CAP), total > COUNT_CAP)


def _word_weights(ids: list[int], words: list[_Word], known: dict | None = None) -> dict[int, tuple]:
    """Per client of the page, the best weight each query word matched with (for «найдено по»).

    `known` holds the weights the main query already returned for its driving words.
    """
    if not ids or not words:
        return {}
    P = db.param
    marks = ", ".join([P] * len(ids))
    per_word: list[dict[int, int]] = []
    for w in words:
        if known and w in known:
            per_word.append(known[w])
            continue
        if w.kind == "date":
            per_word.append({i: 0 for i in ids})
            continue
        if w.kind == "phone":
            ranges = _phone_ranges(w)
        else:
            ranges = [(NAME, w.value)]
        best: dict[int, int] = {}
        for kind, prefix in ranges:
            for cid, weight in db.execute_sql(
                f"SELECT client_id, MIN(weight) FROM client_search_term WHERE client_id IN ({marks}) "
                f"AND {_plus('kind')} = {P} AND {_plus('term')} >= {P} AND {_plus('term')} < {P} "
                f"GROUP BY client_id",
                ids + [kind, prefix, prefix + "\uffff"],
            ):
                best[cid] = min(weight, best.get(cid, 9))
        per_word.append(best)
    return {i: tuple(pw_.get(i, 0) for pw_ in per_word) for i in ids}


def _rows_for(ids: list[tuple[int, tuple]], words: list[_Word]) -> list[ClientRow]:
    """ClientRow for each (id, per-word weights), in the given order, with 3 small queries."""
    if not ids:
        return []
    P = db.param
    id_list = [i for i, _ in ids]
    marks = ", ".join([P] * len(id_list))
    details = {}
    for r in db.execute_sql(
        f"SELECT c.id, c.last_name, c.first_name, c.patronymic, c.birth_date, c.category, c.status, "
        f"d.short_name, d.name, s.last_name, s.first_name, s.patronymic, c.consent_date "
        f"FROM client c LEFT JOIN department d ON d.id = c.department_id "
        f"LEFT JOIN staff s ON s.id = c.assigned_staff_id WHERE c.id IN ({marks})",
        id_list,
    ):
        details[r[0]] = r
    phones: dict[int, tuple[int, str]] = {}  # client -> (rank, value): own phone, then representative's
    phone_sql = [
        f"SELECT client_id, 0, value FROM contact_point WHERE client_id IN ({marks}) AND channel = 'phone'",
        f"SELECT r.client_id, 1, cp.value FROM representative r CROSS JOIN contact_point cp "
        f"WHERE r.client_id IN ({marks}) AND cp.representative_id = r.id AND cp.channel = 'phone'",
        f"SELECT k.client_id, 2, cp.value FROM contact k CROSS JOIN contact_point cp "
        f"WHERE k.client_id IN ({marks}) AND cp.contact_id = k.id AND cp.channel = 'phone'",
    ]
    for sql in phone_sql:
        for cid, rank, value in db.execute_sql(sql, id_list):
            if cid not in phones or rank < phones[cid][0]:
                phones[cid] = (rank, value)
    result = []
    for cid, weights in ids:
        r = details.get(cid)
        if r is None:
            continue
        birth = r[4]
        if isinstance(birth, str):
            birth = dt.date.fromisoformat(birth[:10])
        result.append(
            ClientRow(
                id=cid,
                full_name=full_name(r[1], r[2], r[3]),
                birth_date=birth,
                category=r[5],
                category_label=CATEGORIES.get(r[5], r[5]),
                status=r[6],
                status_label=CLIENT_STATUSES.get(r[6], r[6]),
                department=r[7] or r[8] or "",
                assigned=short_name(r[9], r[10], r[11]) if r[9] else "",
                phone=format_phone(phones[cid][1]) if cid in phones else "",
                matched_by=_matched_label(words, weights) if weights else "",
                no_consent=r[12] is None,
            )
        )
    return result


# --- the client summary and card ------------------------------------------------------


@dataclass(frozen=True)
class PersonInfo:
    """A legal representative or a relative/friend, with how to reach them."""

    id: int
    kind: str  # representative / relative / friend
    relation: str
    full_name: str
    last_name: str
    first_name: str
    patronymic: str
    phones: list[str]  # E.164
    messengers: list[tuple[str, str]]  # (channel, handle)
    preferred_call_time: str = ""
    notes: str = ""
    version: int = 1


@dataclass(frozen=True)
class ClientSummary:
    id: int
    full_name: str
    last_name: str
    first_name: str
    patronymic: str
    birth_date: dt.date | None
    address: str
    department_id: int | None
    department_name: str
    assigned_staff_id: int | None
    assigned_staff_name: str
    assigned_staff_short: str
    representatives: list[PersonInfo]
    contacts: list[PersonInfo]
    phones: list[str] = field(default_factory=list)  # the client's own, E.164
    messengers: list[tuple[str, str]] = field(default_factory=list)
    category: str = "child"
    status: str = "potential"
    remote_territory: bool = False
    version: int = 1


def _load_client(client_id: int, actor: session.Actor | None) -> m.Client:
    client = m.Client.get_or_none(m.Client.id == client_id)
    if client is None:
        raise ClientGone()
    if not can_see(actor, client.department_id, client.assigned_staff_id):
        raise AccessDenied()
    return client


def _points(rows) -> tuple[list[str], list[tuple[str, str]]]:
    phones, messengers = [], []
    for cp in rows:
        if cp.channel == "phone":
            phones.append(cp.value)
        else:
            messengers.append((cp.channel, cp.value))
    return phones, messengers


def _people(client_id: int) -> tuple[list[PersonInfo], list[PersonInfo]]:
    reps = list(m.Representative.select().where(m.Representative.client == client_id).order_by(m.Representative.id))
    contacts = list(m.Contact.select().where(m.Contact.client == client_id).order_by(m.Contact.id))
    points: dict[tuple[str, int], list] = {}
    rep_ids = [r.id for r in reps] or [0]
    con_ids = [c.id for c in contacts] or [0]
    for cp in (
        m.ContactPoint.select()
        .where(m.ContactPoint.representative.in_(rep_ids) | m.ContactPoint.contact.in_(con_ids))
        .order_by(m.ContactPoint.id)
    ):
        key = ("r", cp.representative_id) if cp.representative_id else ("c", cp.contact_id)
        points.setdefault(key, []).append(cp)
    rep_info = []
    for r in reps:
        phones, msg = _points(points.get(("r", r.id), []))
        rep_info.append(
            PersonInfo(
                r.id,
                "representative",
                r.relation,
                full_name(r.last_name, r.first_name, r.patronymic),
                r.last_name,
                r.first_name,
                r.patronymic,
                phones,
                msg,
                r.preferred_call_time,
                r.notes,
                r.version,
            )
        )
    con_info = []
    for c in contacts:
        phones, msg = _points(points.get(("c", c.id), []))
        con_info.append(
            PersonInfo(
                c.id,
                c.kind,
                c.relation,
                full_name(c.last_name, c.first_name, c.patronymic),
                c.last_name,
                c.first_name,
                c.patronymic,
                phones,
                msg,
                "",
                c.notes,
                c.version,
            )
        )
    return rep_info, con_info


def _summary(client: m.Client) -> ClientSummary:
    dep = m.Department.get_or_none(m.Department.id == client.department_id) if client.department_id else None
    staff = m.Staff.get_or_none(m.Staff.id == client.assigned_staff_id) if client.assigned_staff_id else None
    reps, contacts = _people(client.id)
    phones, msg = _points(m.ContactPoint.select().where(m.ContactPoint.client == client.id).order_by(m.ContactPoint.id))
    return ClientSummary(
        id=client.id,
        full_name=full_name(client.last_name, client.first_name, client.patronymic),
        last_name=client.last_name,
        first_name=client.first_name,
        patronymic=client.patronymic,
        birth_date=client.birth_date,
        address=client.address,
        department_id=client.department_id,
        department_name=dep.name if dep else "",
        assigned_staff_id=client.assigned_staff_id,
        assigned_staff_name=full_name(staff.last_name, staff.first_name, staff.patronymic) if staff else "",
        assigned_staff_short=short_name(staff.last_name, staff.first_name, staff.patronymic) if staff else "",
        representatives=reps,
        contacts=contacts,
        phones=phones,
        messengers=msg,
        category=client.category,
        status=client.status,
        remote_territory=client.remote_territory,
        version=client.version,
    )


def get_client_summary(client_id: int) -> ClientSummary:
    """Who the client is and how to reach their people; raises ClientGone / AccessDenied."""
    access.require_client_id(None, client_id)  # access: client
    return _summary(_load_client(client_id, session.current()))


@dataclass(frozen=True)
class StatusChangeInfo:
    at: dt.datetime
    old: str
    new: str
    reason: str
    staff: str


@dataclass(frozen=True)
class ReferralInfo:
    id: int
    received_at: dt.datetime
    ground: str
    source_body: str
    summary: str
    intake_log: str
    assigned: str
    registration_due: dt.date
    first_contact_due: dt.date
    first_contact_at: dt.datetime | None
    patronage_due: dt.date | None
    closed: bool
    state: str  # ok / today / overdue / done
    countdown: str
    warning: str | None


@dataclass(frozen=True)
class TabRow:
    """One line of a card tab (calls, visits, groups, services)."""

    when: str
    what: str
    who: str
    detail: str
    target: tuple[str, int] | None = None


@dataclass(frozen=True)
class ClientCard:
    summary: ClientSummary
    birth_date_text: str
    age: int | None
    category_label: str
    status_label: str
    status_reason: str
    status_changed_at: dt.datetime | None
    history: list[StatusChangeInfo]
    ipra_number: str
    ipra_start: dt.date | None
    ipra_end: dt.date | None
    ipra_warning: str  # "" or "ИПРА истекает 10.12.2026 (через 15 дн.)" / "ИПРА истекла ..."
    consent_date: dt.date | None
    consent_warning: str
    notes: str
    referrals: list[ReferralInfo]
    calls: list[TabRow]
    visits: list[TabRow]
    groups: list[TabRow]
    services: list[TabRow]
    form: dict[str, Any]  # the editable values as the form shows them (for edit and conflicts)


def _age(birth: dt.date | None, today: dt.date) -> int | None:
    if birth is None:
        return None
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def ipra_warning(end: dt.date | None, today: dt.date) -> str:
    if end is None:
        return ""
    days = (end - today).days
    if days < 0:
        return f"ИПРА истекла {clock.fmt_date(end)}"
    if days <= 30:
        return f"ИПРА истекает {clock.fmt_date(end)} (через {days} дн.)"
    return ""


def _staff_short(staff_id: int | None, cache: dict[int, str]) -> str:
    if not staff_id:
        return ""
    if staff_id not in cache:
        s = m.Staff.get_or_none(m.Staff.id == staff_id)
        cache[staff_id] = short_name(s.last_name, s.first_name, s.patronymic) if s else ""
    return cache[staff_id]


def referral_info(ref: m.Referral, today: dt.date, names: dict[int, str]) -> ReferralInfo:
    done = ref.first_contact_at is not None or ref.closed
    return ReferralInfo(
        id=ref.id,
        received_at=ref.received_at,
        ground=GROUNDS.get(ref.ground, ref.ground),
        source_body=ref.source_body,
        summary=ref.summary,
        intake_log=INTAKE_LOGS.get(ref.intake_log, ref.intake_log),
        assigned=_staff_short(ref.assigned_staff_id, names) or "не назначен",
        registration_due=ref.registration_due,
        first_contact_due=ref.first_contact_due,
        first_contact_at=ref.first_contact_at,
        patronage_due=ref.patronage_due,
        closed=ref.closed,
        state=workdays.deadline_state(ref.first_contact_due, today, done),
        countdown="звонок сделан"
        if ref.first_contact_at
        else ("закрыто" if ref.closed else workdays.deadline_countdown_text(ref.first_contact_due, today)),
        warning=workdays.deadline_warning(ref.received_at.date(), ref.first_contact_due),
    )


def _tabs(client_id: int, names: dict[int, str]) -> tuple[list[TabRow], ...]:
    from soptui.domain.labels import VISIT_KINDS, VISIT_STATUSES

    calls = []
    for c in (
        m.PhoneCall.select()
        .where(m.PhoneCall.client == client_id)
        .order_by(m.PhoneCall.started_at.desc(nulls="last"), m.PhoneCall.id.desc())
        .limit(200)
    ):
        calls.append(
            TabRow(
                clock.fmt_datetime(c.started_at) or "—",
                f"СОП {c.sop}: {c.callee_name}".strip(),
                _staff_short(c.staff_id, names),
                c.summary or c.outcome or c.state,
                ("call", c.id),
            )
        )
    visits = []
    for v in (
        m.PatronageVisit.select()
        .where(m.PatronageVisit.client == client_id)
        .order_by(m.PatronageVisit.planned_start.desc())
        .limit(200)
    ):
        visits.append(
            TabRow(
                clock.fmt_datetime(v.planned_start),
                VISIT_KINDS.get(v.kind, v.kind),
                VISIT_STATUSES.get(v.status, v.status),
                v.purpose,
                ("visit", v.id),
            )
        )
    groups = []
    for mem in (
        m.ClubMember.select(m.ClubMember, m.Club)
        .join(m.Club)
        .where(m.ClubMember.client == client_id)
        .order_by(m.ClubMember.joined_on.desc())
    ):
        present = (
            m.Attendance.select()
            .join(m.GroupSession)
            .where(
                (m.Attendance.client == client_id)
                & (m.GroupSession.club == mem.club_id)
                & (m.Attendance.present == True)
            )
            .count()
        )  # noqa: E712
        period = clock.fmt_date(mem.joined_on) + (f" – {clock.fmt_date(mem.left_on)}" if mem.left_on else "")
        groups.append(
            TabRow(period, mem.club.name, f"посещений: {present}", mem.left_reason if mem.left_on else "участник", None)
        )
    services = []
    for s in (
        m.ServiceEntry.select()
        .where(m.ServiceEntry.client == client_id)
        .order_by(m.ServiceEntry.date.desc(), m.ServiceEntry.id.desc())
        .limit(300)
    ):
        services.append(
            TabRow(
                clock.fmt_date(s.date),
                s.service_kind,
                _staff_short(s.staff_id, names),
                f"СОП {s.sop}, {s.units} ед." + (f", {s.minutes} мин" if s.minutes else ""),
            )
        )
    return calls, visits, groups, services


def form_values(summary: ClientSummary, client: m.Client) -> dict[str, Any]:
    """The editable values of a client as text, the way the form shows and compares them."""
    return {
        "last_name": client.last_name,
        "first_name": client.first_name,
        "patronymic": client.patronymic,
        "birth_date": clock.fmt_date(client.birth_date),
        "category": client.category,
        "department_id": client.department_id,
        "assigned_staff_id": client.assigned_staff_id,
        "address": client.address,
        "remote_territory": bool(client.remote_territory),
        "ipra_number": client.ipra_number,
        "ipra_start": clock.fmt_date(client.ipra_start),
        "ipra_end": clock.fmt_date(client.ipra_end),
        "consent_date": clock.fmt_date(client.consent_date),
        "notes": client.notes,
        "phones": [format_phone(p) for p in summary.phones],
        "messengers": [[ch, h] for ch, h in summary.messengers],
    }


def get_client_card(client_id: int, audit_view: bool = True) -> ClientCard:
    """Everything the card shows; writes a "view" audit entry (152-FZ) unless told not to."""
    access.require_client_id(None, client_id)  # access: client
    actor = session.current()
    client = _load_client(client_id, actor)
    if audit_view:
        with write_transaction():
            store.audit("view", "client", client_id)
    summary = _summary(client)
    today = clock.today()
    names: dict[int, str] = {}
    history = [
        StatusChangeInfo(
            h.changed_at,
            CLIENT_STATUSES.get(h.old_status, h.old_status),
            CLIENT_STATUSES.get(h.new_status, h.new_status),
            h.reason,
            _staff_short(h.staff_id, names),
        )
        for h in m.ClientStatusChange.select()
        .where(m.ClientStatusChange.client == client_id)
        .order_by(m.ClientStatusChange.id)
    ]
    refs = [
        referral_info(r, today, names)
        for r in m.Referral.select().where(m.Referral.client == client_id).order_by(m.Referral.received_at.desc())
    ]
    calls, visits, groups, services = _tabs(client_id, names)
    return ClientCard(
        summary=summary,
        birth_date_text=clock.fmt_date(client.birth_date),
        age=_age(client.birth_date, today),
        category_label=CATEGORIES.get(client.category, client.category),
        status_label=CLIENT_STATUSES.get(client.status, client.status),
        status_reason=client.status_reason,
        status_changed_at=client.status_changed_at,
        history=history,
        ipra_number=client.ipra_number,
        ipra_start=client.ipra_start,
        ipra_end=client.ipra_end,
        ipra_warning=ipra_warning(client.ipra_end, today),
        consent_date=client.consent_date,
        consent_warning="" if client.consent_date else "Нет согласия на обработку персональных данных",
        notes=client.notes,
        referrals=refs,
        calls=calls,
        visits=visits,
        groups=groups,
        services=services,
        form=form_values(summary, client),
    )


# --- create and edit ---------------------------------------------------------------


FIELD_LABELS = {
    "last_name": "Фамилия",
    "first_name": "Имя",
    "patronymic": "Отчество",
    "birth_date": "Дата рождения",
    "category": "Категория",
    "department_id": "Отделение",
    "assigned_staff_id": "Специалист",
    "address": "Адрес",
    "remote_territory": "Отдалённая территория",
    "ipra_number": "Номер ИПРА",
    "ipra_start": "ИПРА с",
    "ipra_end": "ИПРА по",
    "consent_date": "Согласие на обработку ПДн",
    "notes": "Примечание",
    "phones": "Телефоны",
    "messengers": "Мессенджеры",
    "department": "Отделение",
    "assigned_staff": "Специалист",
    "status": "Статус",
    "status_reason": "Причина",
    "status_changed_at": "Дата статуса",
    "relation": "Кем приходится",
    "preferred_call_time": "Когда звонить",
    "kind": "Кто это",
}


@dataclass
class ClientData:
    """Validated values of the client form (phones E.164, dates as dates)."""

    last_name: str
    first_name: str
    patronymic: str = ""
    birth_date: dt.date | None = None
    category: str = "child"
    department_id: int | None = None
    assigned_staff_id: int | None = None
    address: str = ""
    remote_territory: bool = False
    ipra_number: str = ""
    ipra_start: dt.date | None = None
    ipra_end: dt.date | None = None
    consent_date: dt.date | None = None
    notes: str = ""
    phones: list[str] = field(default_factory=list)
    messengers: list[tuple[str, str]] = field(default_factory=list)

    def columns(self) -> dict[str, Any]:
        return {
            "last_name": self.last_name.strip(),
            "first_name": self.first_name.strip(),
            "patronymic": self.patronymic.strip(),
            "name_key": fold(full_name(self.last_name.strip(), self.first_name.strip(), self.patronymic.strip())),
            "birth_date": self.birth_date,
            "category": self.category,
            "department": self.department_id,
            "assigned_staff": self.assigned_staff_id,
            "address": self.address.strip(),
            "remote_territory": self.remote_territory,
            "ipra_number": self.ipra_number.strip(),
            "ipra_start": self.ipra_start,
            "ipra_end": self.ipra_end,
            "consent_date": self.consent_date,
            "notes": self.notes,
        }

    def form(self) -> dict[str, Any]:
        return {
            "last_name": self.last_name.strip(),
            "first_name": self.first_name.strip(),
            "patronymic": self.patronymic.strip(),
            "birth_date": clock.fmt_date(self.birth_date),
            "category": self.category,
            "department_id": self.department_id,
            "assigned_staff_id": self.assigned_staff_id,
            "address": self.address.strip(),
            "remote_territory": bool(self.remote_territory),
            "ipra_number": self.ipra_number.strip(),
            "ipra_start": clock.fmt_date(self.ipra_start),
            "ipra_end": clock.fmt_date(self.ipra_end),
            "consent_date": clock.fmt_date(self.consent_date),
            "notes": self.notes,
            "phones": [format_phone(p) for p in self.phones],
            "messengers": [[ch, h] for ch, h in self.messengers],
        }


def _replace_points(owner: dict[str, int], phones: list[str], messengers: list[tuple[str, str]]) -> None:
    key, value = next(iter(owner.items()))
    m.ContactPoint.delete().where(getattr(m.ContactPoint, key) == value).execute()
    rows = [{key: value, "channel": "phone", "value": p} for p in dict.fromkeys(phones)]
    rows += [{key: value, "channel": ch, "value": h} for ch, h in dict.fromkeys(map(tuple, messengers))]
    if rows:
        m.ContactPoint.insert_many(rows).execute()


def create_client(data: ClientData, status: str = "potential", reason: str = "") -> int:
    """Add a client (audited, indexed, first status history row); returns the id."""
    access.require_department(None, data.department_id)  # access: client
    actor = session.current()
    cols = data.columns()
    if cols["department"] is None and actor is not None:
        cols["department"] = actor.department_id
    with write_transaction():
        client = store.create(m.Client, status=status, status_changed_at=clock.now(), **cols)
        m.ClientStatusChange.create(
            client=client.id,
            old_status="",
            new_status=status,
            reason=reason,
            changed_at=clock.now(),
            staff=session.actor_id(),
        )
        _replace_points({"client": client.id}, data.phones, data.messengers)
        reindex(client.id)
    return client.id


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    base: Any  # what the editor started from
    mine: Any
    theirs: Any


class ClientConflict(Exception):
    """Someone else saved the client since the form was opened."""

    def __init__(self, changes: list[FieldChange], version: int, theirs: dict[str, Any]):
        super().__init__("Карточку клиента изменил другой пользователь")
        self.changes = changes
        self.version = version  # their version: pass it back to overwrite knowingly
        self.theirs = theirs


def _norm(value: Any) -> Any:
    if isinstance(value, list):
        return [list(v) if isinstance(v, (list, tuple)) else v for v in value]
    return value


def update_client(client_id: int, expected_version: int, data: ClientData, original: dict[str, Any]) -> int:
    """Save the edited client; returns the new version.

    `original` are the form values the editor started from (ClientCard.form).
    Raises ClientConflict if someone saved since `expected_version` (with the
    fields they changed next to ours), ClientGone if the client was deleted.
    """
    access.require_client_id(None, client_id)  # access: client
    actor = session.current()
    with write_transaction():
        client = _load_client(client_id, actor)
        if client.version != expected_version:
            theirs = form_values(_summary(client), client)
            mine = data.form()
            changes = [
                FieldChange(k, FIELD_LABELS.get(k, k), _norm(original.get(k)), _norm(mine.get(k)), _norm(theirs.get(k)))
                for k in theirs
                if _norm(original.get(k)) != _norm(theirs.get(k))
            ]
            raise ClientConflict(changes, client.version, theirs)
        cols = data.columns()
        before = form_values(_summary(client), client)
        updated = store.update_versioned(m.Client, client_id, expected_version, cols)
        after = data.form()
        if before["phones"] != after["phones"] or _norm(before["messengers"]) != _norm(after["messengers"]):
            _replace_points({"client": client_id}, data.phones, data.messengers)
            store.audit(
                "update",
                "client",
                client_id,
                {
                    "phones": [before["phones"], after["phones"]],
                    "messengers": [before["messengers"], after["messengers"]],
                },
            )
        reindex(client_id)
        return updated.version


def delete_client(client_id: int) -> None:
    access.require_client_id(None, client_id)  # access: client
    with write_transaction():
        client = m.Client.get_or_none(m.Client.id == client_id)
        if client is None:
            raise ClientGone()
        store.delete(m.Client, client_id)


# --- representatives and contacts ----------------------------------------------------


@dataclass
class PersonData:
    kind: str  # representative / relative / friend
    relation: str
    last_name: str
    first_name: str
    patronymic: str = ""
    preferred_call_time: str = ""
    notes: str = ""
    phones: list[str] = field(default_factory=list)
    messengers: list[tuple[str, str]] = field(default_factory=list)


def save_person(
    client_id: int, data: PersonData, person_id: int | None = None, expected_version: int | None = None
) -> int:
    """Add or edit a representative (kind "representative") or a relative/friend; returns its id."""
    access.require_person(None, client_id, data.kind, person_id)  # access: client
    actor = session.current()
    is_rep = data.kind == "representative"
    model = m.Representative if is_rep else m.Contact
    cols: dict[str, Any] = {
        "relation": data.relation.strip(),
        "last_name": data.last_name.strip(),
        "first_name": data.first_name.strip(),
        "patronymic": data.patronymic.strip(),
        "notes": data.notes,
    }
    if is_rep:
        cols["preferred_call_time"] = data.preferred_call_time.strip()
    else:
        cols["kind"] = data.kind
    with write_transaction():
        _load_client(client_id, actor)  # gone or out of reach: raises
        if person_id is None:
            person = store.create(model, client=client_id, **cols)
            person_id = person.id
        else:
            current = model.get_or_none(model.id == person_id)
            if current is None:
                raise store.RecordGone()
            store.update_versioned(
                model,
                person_id,
                expected_version if expected_version is not None else current.version,
                cols,
                original=store.row_dict(current),
            )
        _replace_points({"representative" if is_rep else "contact": person_id}, data.phones, data.messengers)
        reindex(client_id)
    return person_id


def get_person(client_id: int, kind: str, person_id: int) -> PersonInfo | None:
    """One representative (kind "representative") or relative/friend as stored now; None if deleted."""
    access.require_person(None, client_id, kind, person_id)  # access: client
    reps, contacts = _people(client_id)
    pool = reps if kind == "representative" else contacts
    return next((p for p in pool if p.id == person_id), None)


PERSON_FIELDS = [
    ("relation", "Кем приходится"),
    ("last_name", "Фамилия"),
    ("first_name", "Имя"),
    ("patronymic", "Отчество"),
    ("phones", "Телефоны"),
    ("messengers", "Мессенджеры"),
    ("preferred_call_time", "Когда удобно звонить"),
    ("notes", "Примечание"),
]


def person_changes(before: PersonInfo, after: PersonInfo) -> list[tuple[str, Any, Any]]:
    """(label, before, after) of each field another user changed between two readings of a person."""
    return [
        (label, getattr(before, name), getattr(after, name))
        for name, label in PERSON_FIELDS
        if getattr(before, name) != getattr(after, name)
    ]


def delete_person(client_id: int, kind: str, person_id: int) -> None:
    access.require_person(None, client_id, kind, person_id)  # access: client
    model = m.Representative if kind == "representative" else m.Contact
    with write_transaction():
        if m.Client.get_or_none(m.Client.id == client_id) is None:
            raise ClientGone()
        store.delete(model, person_id)
        reindex(client_id)


# --- duplicates -------------------------------------------------------------------------


@dataclass(frozen=True)
class Duplicate:
    id: int
    full_name: str
    birth_date: dt.date | None
    department: str
    reason: str  # "то же ФИО и дата рождения" / "тот же телефон +7 (912) ..."


def find_duplicates(
    last_name: str,
    first_name: str,
    patronymic: str,
    birth_date: dt.date | None,
    phones: list[str],
    exclude_id: int | None = None,
) -> list[Duplicate]:
    """Clients that look like the same person: same ФИО + birth date, or the same phone (any owner)."""
    access.require_staff(None)  # access: staff
    hits: dict[int, str] = {}
    key = fold(full_name(last_name.strip(), first_name.strip(), patronymic.strip()))
    if key and birth_date is not None:
        for c in m.Client.select(m.Client.id).where((m.Client.name_key == key) & (m.Client.birth_date == birth_date)):
            hits[c.id] = "то же ФИО и дата рождения"
    for phone in phones:
        d = national_digits(phone)
        if not d:
            continue
        for t in m.ClientSearchTerm.select(m.ClientSearchTerm.client, m.ClientSearchTerm.weight).where(
            (m.ClientSearchTerm.kind == PHONE) & (m.ClientSearchTerm.term == d)
        ):
            owner = {W_OWN_PHONE: "", W_REPRESENTATIVE: " (у представителя)", W_CONTACT: " (у родственника)"}.get(
                t.weight, ""
            )
            hits.setdefault(t.client_id, f"тот же телефон {format_phone(phone)}{owner}")
    hits.pop(exclude_id, None)
    if not hits:
        return []
    result = []
    for c in (
        m.Client.select(m.Client, m.Department)
        .join(m.Department, join_type=pw.JOIN.LEFT_OUTER)
        .where(m.Client.id.in_(list(hits)))
        .order_by(m.Client.name_key)
        .limit(20)
    ):
        result.append(
            Duplicate(
                c.id,
                full_name(c.last_name, c.first_name, c.patronymic),
                c.birth_date,
                c.department.short_name or c.department.name if c.department_id else "",
                hits[c.id],
            )
        )
    return result


# --- status lifecycle -------------------------------------------------------------------

TRANSITIONS = {
    "potential": ("served", "refused"),
    "served": ("closed", "refused"),
    "refused": ("potential", "served"),  # reopening keeps the history
    "closed": ("potential", "served"),
}
NEEDS_REASON = ("refused", "closed")


def allowed_statuses(current: str) -> list[tuple[str, str]]:
    return [(s, CLIENT_STATUSES[s]) for s in TRANSITIONS.get(current, ())]


def change_status(client_id: int, new_status: str, reason: str = "", on: dt.date | None = None) -> None:
    """Move a client along potential -> served -> closed / refused; reopening is allowed."""
    access.require_client_id(None, client_id)  # access: client
    actor = session.current()
    if new_status not in CLIENT_STATUSES:
        raise ValueError("Неизвестный статус.")
    if new_status in NEEDS_REASON and not reason.strip():
        raise ValueError("Укажите причину.")
    on = on or clock.today()
    if on > clock.today():
        raise ValueError("Дата не может быть в будущем.")
    when = dt.datetime.combine(on, clock.now().time()) if on != clock.today() else clock.now()
    with write_transaction():
        client = _load_client(client_id, actor)
        if new_status not in TRANSITIONS.get(client.status, ()):
            raise ValueError(
                f"Из статуса «{CLIENT_STATUSES.get(client.status, client.status)}» "
                f"нельзя перейти в «{CLIENT_STATUSES[new_status]}»."
            )
        m.ClientStatusChange.create(
            client=client_id,
            old_status=client.status,
            new_status=new_status,
            reason=reason.strip(),
            changed_at=when,
            staff=session.actor_id(),
        )
        store.update_versioned(
            m.Client,
            client_id,
            client.version,
            {"status": new_status, "status_reason": reason.strip(), "status_changed_at": when},
        )


# --- referral intake ----------------------------------------------------------------------


def take_referral(
    client_id: int | None,
    data: ClientData | None,
    received_at: dt.datetime,
    ground: str,
    source_body: str,
    summary: str,
    intake_log: str,
    assigned_staff_id: int | None,
    source_term_due: dt.date | None = None,
) -> tuple[int, int]:
    """Register incoming information: create the client (status potential) or link an existing one.

    Returns (client_id, referral_id).
    """
    access.require_client_id(None, client_id) if client_id is not None else access.require_department(
        None, data.department_id if data else None
    )  # access: client
    from soptui.services import referrals

    if received_at > clock.now():
        raise ValueError("Время поступления не может быть в будущем.")
    if client_id is None:
        if data is None:
            raise ValueError("Выберите клиента или заполните его данные.")
        if data.assigned_staff_id is None:
            data.assigned_staff_id = assigned_staff_id
        client_id = create_client(data, "potential", "поступила информация")
    else:
        _load_client(client_id, session.current())
        if assigned_staff_id is not None:
            with write_transaction():
                client = m.Client.get_by_id(client_id)
                if client.assigned_staff_id is None:
                    store.update_versioned(m.Client, client_id, client.version, {"assigned_staff": assigned_staff_id})
    ref_id = referrals.create_referral(
        client_id,
        received_at,
        ground,
        source_body,
        summary,
        intake_log,
        taken_by=session.actor_id(),
        assigned_staff=assigned_staff_id,
        source_term_due=source_term_due,
    )
    return client_id, ref_id


# --- choices for forms and filters --------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    id: int
    label: str
    department_id: int | None = None


def departments() -> list[Choice]:
    return [Choice(d.id, d.name, d.id) for d in m.Department.select().order_by(m.Department.name)]


def staff_choices(department_id: int | None = None) -> list[Choice]:
    q = m.Staff.select().where(m.Staff.active == True)  # noqa: E712
    if department_id is not None:
        q = q.where((m.Staff.department == department_id) | m.Staff.department.is_null())
    return [
        Choice(s.id, short_name(s.last_name, s.first_name, s.patronymic), s.department_id)
        for s in q.order_by(m.Staff.last_name, m.Staff.first_name)
    ]


# --- audit log of a client (heads) --------------------------------------------------------


@dataclass(frozen=True)
class AuditRow:
    at: dt.datetime
    staff: str
    action: str
    what: str
    details: str


ACTION_LABELS = {"view": "просмотр", "create": "создание", "update": "изменение", "delete": "удаление"}
TABLE_LABELS = {
    "client": "карточка",
    "representative": "представитель",
    "contact": "родственник/друг",
    "referral": "обращение",
}


def client_audit(client_id: int, limit: int = 500) -> list[AuditRow]:
    """Who viewed and changed this client's file (heads and administrators only)."""
    access.require_client_id(access.require_head(None), client_id)  # access: head
    actor = session.current()
    if actor is not None and not actor.is_head:
        raise AccessDenied()
    reps = [r.id for r in m.Representative.select(m.Representative.id).where(m.Representative.client == client_id)]
    cons = [c.id for c in m.Contact.select(m.Contact.id).where(m.Contact.client == client_id)]
    refs = [r.id for r in m.Referral.select(m.Referral.id).where(m.Referral.client == client_id)]
    A = m.AuditLog
    cond = (A.table == "client") & (A.record_id == client_id)
    for table, ids in (("representative", reps), ("contact", cons), ("referral", refs)):
        if ids:
            cond |= (A.table == table) & A.record_id.in_(ids)
    names: dict[int, str] = {}
    rows = []
    for a in A.select().where(cond).order_by(A.at.desc(), A.id.desc()).limit(limit):
        details = ""
        if a.action == "update" and a.changes:
            try:
                changed = json.loads(a.changes)
                details = ", ".join(FIELD_LABELS.get(k, k) for k in changed if k not in ("name_key",))
            except ValueError:
                details = ""
        rows.append(
            AuditRow(
                a.at,
                _staff_short(a.staff_id, names) or "—",
                ACTION_LABELS.get(a.action, a.action),
                TABLE_LABELS.get(a.table, a.table),
                details,
            )
        )
    return rows


def channel_label(code: str) -> str:
    return CHANNELS.get(code, code)


# --- field validators (pure: the forms use them at the field) ---------------------------

_NAME_PART_RE = re.compile(r"^[A-Za-zА-Яа-яЁё]+(?:[ '\-][A-Za-zА-Яа-яЁё]+)*$")


def validate_name_part(text: str) -> str:
    """A surname, first name or patronymic: letters, hyphen, apostrophe; capitalised on save."""
    value = " ".join(text.split())
    if len(value) > 60:
        raise ValueError("Слишком длинно: не больше 60 букв.")
    if not _NAME_PART_RE.match(value):
        raise ValueError("Только буквы, дефис и апостроф (например, Петрова-Водкина).")
    return "-".join(p[:1].upper() + p[1:] for p in value.split("-")) if value.islower() else value


def validate_birth_date(text: str) -> dt.date:
    d = clock.parse_date(text)
    today = clock.today()
    if d > today:
        raise ValueError("Дата рождения не может быть в будущем.")
    if d.year < today.year - 120:
        raise ValueError("Проверьте год: человеку получается больше 120 лет.")
    return d


def validate_past_date(text: str) -> dt.date:
    d = clock.parse_date(text)
    if d > clock.today():
        raise ValueError("Дата не может быть в будущем.")
    if d.year < 1990:
        raise ValueError("Проверьте год: дата слишком давняя.")
    return d


def validate_any_date(text: str) -> dt.date:
    d = clock.parse_date(text)
    if not 1990 <= d.year <= clock.today().year + 20:
        raise ValueError("Проверьте год.")
    return d


def parse_phones(text: str) -> list[str]:
    """Phones separated by commas or semicolons -> E.164 list; PhoneError names the bad one."""
    from soptui.core.phones import parse_phone

    result = []
    for part in re.split(r"[,;]", text):
        if part.strip():
            result.append(parse_phone(part))
    return list(dict.fromkeys(result))


_TG_RE = re.compile(r"^@?[A-Za-z][A-Za-z0-9_]{4,31}$")
_VK_RE = re.compile(r"^(?:https?://)?(?:m\.)?(?:vk\.com/|vk\.ru/)?([A-Za-z0-9_.]{2,32})/?$")
_SKYPE_RE = re.compile(r"^(?:live:)?[A-Za-z][A-Za-z0-9_.,\-]{3,31}$")


def validate_messenger(channel: str, text: str) -> str:
    """The handle of a messenger account, checked by channel: phone for WhatsApp and Viber,
    @имя or phone for Telegram, page address or id for VK, login for Skype."""
    from soptui.core.phones import PhoneError, parse_phone

    value = text.strip()
    if not value:
        raise ValueError("Укажите контакт.")
    if channel in ("whatsapp", "viber"):
        try:
            return parse_phone(value)
        except PhoneError:
            raise ValueError(f"Для {CHANNELS[channel]} укажите номер телефона, например +7 912 345-67-89.") from None
    if channel == "telegram":
        if re.fullmatch(r"[+\d\s()\-]+", value):
            try:
                return parse_phone(value)
            except PhoneError as exc:
                raise ValueError(str(exc)) from None
        if not _TG_RE.match(value):
            raise ValueError("Telegram: @имя (5–32 латинские буквы, цифры, _) или номер телефона.")
        return "@" + value.lstrip("@")
    if channel == "vk":
        mt = _VK_RE.match(value)
        if not mt:
            raise ValueError("VK: адрес страницы (vk.com/имя) или id, например id123456.")
        return f"vk.com/{mt.group(1)}"
    if channel == "skype":
        if not _SKYPE_RE.match(value):
            raise ValueError("Skype: логин латиницей (от 4 знаков) или live:…")
        return value
    return value[:200]


MESSENGER_CHANNELS = ["whatsapp", "telegram", "viber", "vk", "skype"]


# --- Today: IPRA running out and missing consent for the person's own clients --------------


def today_items(actor: session.Actor, today: dt.date) -> list:
    """IPRA ending within 30 days (or ended) for clients the person is responsible for.

    Heads see those of every client they may see; specialists their own clients.
    """
    access.require_staff(actor)  # access: staff

    q = m.Client.select(
        m.Client.id, m.Client.last_name, m.Client.first_name, m.Client.patronymic, m.Client.ipra_end
    ).where(
        m.Client.ipra_end.is_null(False)
        & (m.Client.ipra_end <= today + dt.timedelta(days=30))
        & (m.Client.ipra_end >= today - dt.timedelta(days=30))
        & m.Client.status.in_(["potential", "served"])
    )
    if actor.is_head:
        if not actor.sees_all_departments and actor.department_id:
            q = q.where(m.Client.department == actor.department_id)
    else:
        q = q.where(m.Client.assigned_staff == actor.id)
    items = []
    for c in q.order_by(m.Client.ipra_end).limit(100):
        days = (c.ipra_end - today).days
        state = "overdue" if days < 0 else ("today" if days == 0 else "ok")
        what = ipra_warning(c.ipra_end, today) or f"ИПРА истекает {clock.fmt_date(c.ipra_end)}"
        items.append(
            TodayItem(
                "ИПРА",
                f"до {clock.fmt_date(c.ipra_end)}",
                full_name(c.last_name, c.first_name, c.patronymic),
                what,
                state,
                ("client", c.id),
                c.ipra_end.isoformat(),
            )
        )
    return items
