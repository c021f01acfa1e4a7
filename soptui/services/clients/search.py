"""Registry search: a typed query -> a page of ClientRow, best matches first.

Each query word becomes an index range (see `index`); the per-word client sets are joined in SQL,
filtered by what the actor may see, ordered by the best weight then the name, and paged. When nothing
matches as typed, a misspelt name word is replaced by the closest indexed one (forgiving search).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Any

from soptui.core import session
from soptui.core.phones import format_phone
from soptui.core.text import fold, full_name, short_name
from soptui.db.connection import db, is_sqlite
from soptui.domain.labels import CATEGORIES, CLIENT_STATUSES
from soptui.services import access
from soptui.services.clients.index import NAME, PHONE, PHONE_REVERSED, PREFIX, PREFIX_LEN

MAX_WORDS = 6  # query words looked up; the rest are ignored
MAX_WORD_LEN = 40  # a longer typed word is cut
COUNT_CAP = 1000  # totals are counted up to this ("1000+")
MAX_LIMIT = 500  # rows per page at most


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
    actor = access.resolve(actor)
    kind, value = access.client_scope(actor)
    if kind == "all":
        return "1=1", []
    if kind == "department":
        unrouted = f"(c.department_id IS NULL AND (c.assigned_staff_id IS NULL OR c.assigned_staff_id = {P}))"
        return f"(c.department_id = {P} OR {unrouted})", [value, actor.id]
    if kind == "assigned":  # their own, and a fresh referral nobody has yet (may_see_client)
        return f"(c.assigned_staff_id = {P} OR (c.department_id IS NULL AND c.assigned_staff_id IS NULL))", [value]
    return "1=0", []


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
    """The column as an expression, so the planner keeps off its index (used in per-client lookups by id):
    `+column` on SQLite, `(column || '')` on PostgreSQL. A word's whole index range (123,000 rows for
    «николаев» among a million clients) is looked up as no more than a few terms per client: PostgreSQL
    misjudged the range as one row and scanned all of it (56 ms for a page of 50)."""
    return f"+{column}" if is_sqlite() else f"({column} || '')"


def _per_client() -> str:
    """Ends an EXISTS check that must run per client, in the driver's order, stopping at the page: ` OFFSET 0`
    on PostgreSQL keeps it from being turned into a join that reads the whole word range first and sorts
    (2 s for «николаев» among a million clients, 2 ms as a per-client check). SQLite already runs it so."""
    return "" if is_sqlite() else " OFFSET 0"


def _name_check(word: _Word, client_col: str) -> tuple[str, list[Any]]:
    """EXISTS: the client has a name word starting with word (looked up through its own terms)."""
    P = db.param
    prefix: str = word.value
    return (
        f"EXISTS (SELECT 1 FROM client_search_term x WHERE x.client_id = {client_col} "
        f"AND x.kind = {P} AND x.term >= {P} AND x.term < {P}{_per_client()})",
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
            sql = (
                f"EXISTS (SELECT 1 FROM client_search_term x WHERE x.client_id = {client_col} AND ({ors})"
                f"{_per_client()})"
            )
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
