"""Client registry benchmark: 100,000 generated clients in a SQLite file.

The store is bulk-generated once (clients, mothers, phones and search terms with
insert_many-style executemany, indexes built after the load) and cached in the
user cache folder while the generator, the models and the indexing are unchanged.
Measures the SQL search function alone (page only, and page + capped count), the
keystroke-to-updated-list time of the Клиенты section in a headless Pilot run (from
the key press to the list showing that query's results), and the peak memory
(VmHWM) of that run. The UI part runs in a child process so the generator's memory
does not count.

    python bench/bench_registry.py            # prints the figures
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

N_CLIENTS = 100_000
FULL_CLIENTS = 1_000_000  # --full: the regional scale of issue 14 point 7, on SQLite and on PostgreSQL
PASSWORD = "bench2026"


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def generate(path: Path, n: int = N_CLIENTS, seed: int = 7) -> dict:
    """Fill a fresh store with n clients, their representatives, phones and search terms (bulk)."""
    from soptui import demo
    from soptui.core.phones import national_digits
    from soptui.core.text import fold, search_words
    from soptui.db import models as m
    from soptui.db.connection import db, write_transaction
    from soptui.services import auth
    from soptui.services.clients import PREFIX_LEN
    from soptui.services.store import open_store

    open_store(path)
    rng = random.Random(seed)
    with write_transaction():
        deps = [m.Department.create(name=name, short_name=short).id for name, short in demo.DEPARTMENTS]
    spec = auth.add_user(
        "spec",
        PASSWORD,
        "Иванова",
        "Марина",
        "Сергеевна",
        "social_work_specialist",
        "specialist",
        demo.DEPARTMENTS[0][0],
    )
    auth.add_user("head", PASSWORD, "Кузнецова", "Татьяна", "Николаевна", "head", "head", demo.DEPARTMENTS[0][0])
    today = dt.date(2026, 11, 25)
    clients, reps, points, terms = [], [], [], []
    sample = {}
    rep_id = 0
    n_terms = 0
    now = dt.datetime(2026, 11, 25, 9, 0).isoformat(sep=" ")
    conn = db.connection()
    # a throw-away file: no journal, no fsync, big sort memory while loading
    for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -400000", "temp_store = MEMORY"):
        conn.execute(f"PRAGMA {pragma}")
    # bulk load: build the search-term indexes once after the insert, not row by row
    index_sql = [
        r[0]
        for r in conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'client_search_term' AND sql IS NOT NULL"
        )
    ]
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'client_search_term' AND sql IS NOT NULL"
    ).fetchall():
        conn.execute(f'DROP INDEX "{name}"')

    def write_batch() -> None:
        conn.executemany(
            "INSERT INTO client (id, version, created_at, updated_at, last_name, first_name, patronymic, name_key, "
            "birth_date, category, department_id, status, status_reason, status_changed_at, ipra_number, address, "
            "remote_territory, notes, assigned_staff_id) "
            "VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, '', '', 0, '', ?)",
            [(c[0], now, now, c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], now, c[9]) for c in clients],
        )
        conn.executemany(
            "INSERT INTO representative (id, version, created_at, updated_at, client_id, relation, last_name, "
            "first_name, patronymic, preferred_call_time, notes) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, '', '')",
            [(r[0], now, now, r[1], r[2], r[3], r[4], r[5]) for r in reps],
        )
        conn.executemany(
            "INSERT INTO contact_point (version, created_at, updated_at, client_id, representative_id, channel, "
            "value, note) VALUES (1, ?, ?, ?, ?, ?, ?, '')",
            [(now, now) + p for p in points],
        )
        conn.executemany(
            "INSERT INTO client_search_term (client_id, kind, term, weight, sort_key) VALUES (?, ?, ?, ?, ?)", terms
        )
        for batch in (clients, reps, points, terms):
            batch.clear()

    def flush(cid: int, own: list, name_key: str) -> None:
        best: dict[tuple[str, str], int] = {}
        for kind, term, weight in own:
            keys = [(kind, term)]
            if kind == "n":
                keys += [("f", term[:k]) for k in range(1, min(len(term), PREFIX_LEN) + 1)]
            for key in keys:
                best[key] = min(weight, best.get(key, 9))
        terms.extend((cid, k, t, w, name_key) for (k, t), w in best.items())

    # rows are written in batches of 20,000 clients: a million clients never sit in memory at once
    conn.execute("BEGIN")
    for cid in range(1, n + 1):
        own: list = []
        child = cid % 3 != 2
        female = rng.random() < 0.5
        last, first, patr = demo.person(rng, female, elder=not child)
        birth = today - dt.timedelta(days=rng.randint(365 * 2, 365 * 17) if child else rng.randint(365 * 62, 365 * 92))
        dep = deps[rng.choice([0, 1])] if child else deps[2]
        clients.append(
            (
                cid,
                last,
                first,
                patr,
                fold(f"{last} {first} {patr}"),
                birth.isoformat(),
                "child" if child else "elderly",
                dep,
                rng.choice(["served", "potential", "closed"]),
                spec if rng.random() < 0.02 else None,
            )
        )
        for w in search_words(f"{last} {first} {patr}"):
            own.append(("n", w, 0))
        if not child or rng.random() < 0.3:
            phone = demo.random_phone(rng)
            points.append((cid, None, "phone", phone))
            d = national_digits(phone)
            own += [("p", d, 1), ("r", d[::-1], 1)]
        if child:
            rep_id += 1
            r_last = demo.female_surname(last) if not last.endswith("а") else last
            r_first = rng.choice(demo.FEMALE_FIRST)
            r_patr = demo.patronymic(rng.choice(demo.FATHER_NAMES), True)
            reps.append((rep_id, cid, "мать", r_last, r_first, r_patr))
            phone = demo.random_phone(rng)
            points.append((None, rep_id, "phone", phone))
            d = national_digits(phone)
            own += [("p", d, 2), ("r", d[::-1], 2)]
            for w in search_words(f"{r_last} {r_first} {r_patr}"):
                own.append(("n", w, 2))
            if cid % 997 == 0 and len(sample) < 200:
                sample[cid] = (last, phone)
        flush(cid, own, fold(f"{last} {first} {patr}"))
        if cid % 20_000 == 0:
            n_terms += len(terms)
            write_batch()
    n_terms += len(terms)
    write_batch()
    conn.execute("COMMIT")
    conn.execute("BEGIN")
    for sql in index_sql:
        conn.execute(sql)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode = WAL")
    db.close()
    return {"terms": n_terms, "sample": sample}


def _queries(sample: dict, rng: random.Random) -> list[str]:
    """What people type during calls: surname prefixes growing, two words, last digits, phones, dates."""
    from soptui import demo

    queries = []
    for surname in rng.sample(demo.MALE_LAST, 12):
        s = surname.lower()
        queries += [s[:k] for k in range(2, len(s) + 1)]
        first = rng.choice(demo.MALE_FIRST).lower()
        queries += [f"{s[:4]} {first[:k]}" for k in range(1, 4)]
    for _cid, (last, phone) in list(sample.items())[:20]:
        queries += [
            phone[-4:],
            f"{last[:3].lower()} {phone[-4:]}",
            "8" + phone[2:5] + " " + phone[5:8],
            f"+7 ({phone[2:5]}) {phone[5:8]}-{phone[8:10]}-{phone[10:]}",
        ]
    queries += ["01.03.2015", "ива 12.05.2012", "смирнова анна"]
    return queries


def bench_sql(path: Path, queries: list[str], with_total: bool) -> list[list[float]]:
    from soptui.core import session
    from soptui.db.connection import db
    from soptui.services import auth, clients
    from soptui.services.store import open_store

    open_store(path)
    session.set_actor(auth.sign_in("spec", PASSWORD))
    for q in queries[:20]:  # warm the page cache
        clients.search(q)
    passes = []
    for _ in range(2):  # the first pass still reads parts of the 0.6 GB file from disk; the second is steady state
        times = []
        for q in queries:
            t = time.perf_counter()
            clients.search(q, with_total=with_total)
            times.append((time.perf_counter() - t) * 1000)
        passes.append(times)
    session.set_actor(None)
    db.close()
    return passes


async def _ui(path: str, queries: list[str]) -> dict:
    from soptui.app import make_app
    from soptui.services import auth
    from soptui.services.store import open_store

    open_store(path)
    app = make_app("Бенчмарк", "КЦСОН")
    latencies, internal = [], []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app._signed_in(auth.sign_in("spec", PASSWORD))
        await pilot.pause()
        await pilot.press("f3")
        for _ in range(200):
            await pilot.pause(0.01)
            if type(app.screen).__name__ == "ClientsScreen" and app.screen.search_settled:
                break
        screen = app.screen
        # type each query a key at a time; the list must follow every keystroke
        for q in queries:
            await pilot.press("escape")  # clears the search box
            for _ in range(200):
                await asyncio.sleep(0.001)
                if screen.search_settled:
                    break
            for ch in q:
                seq_before = screen._seq
                t0 = time.perf_counter()
                await pilot.press(ch if ch != " " else "space")
                while not (screen._seq > seq_before and screen.search_settled):
                    await asyncio.sleep(0.0005)
                    if time.perf_counter() - t0 > 5:
                        break
                # from the key press to the list showing its results (Pilot's own idle wait excluded)
                latencies.append((screen.shown_at - t0) * 1000)
                internal.append(screen.last_latency_ms)
    return {"latencies": latencies, "internal": internal, "rss_mb": _peak_rss_mb()}


def _peak_rss_mb() -> float:
    """Peak resident memory of this process: VmHWM (reset by exec, unlike ru_maxrss on Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cached_db(n: int = N_CLIENTS) -> tuple[Path, dict, str]:
    """The generated store of n clients, reused while the schema version, the generator and the search index
    are unchanged (a million clients take ~10 minutes to generate: an edit elsewhere in the models or the demo
    names does not throw the store away; a schema change comes with a new SCHEMA_VERSION)."""
    import hashlib
    import inspect

    from platformdirs import user_cache_dir

    from soptui.core.storecheck import SCHEMA_VERSION
    from soptui.services import clients

    digest = hashlib.sha256(f"schema {SCHEMA_VERSION}".encode())
    for text in (inspect.getsource(generate), inspect.getsource(clients.index_terms), str(clients.PREFIX_LEN)):
        digest.update(text.encode())
    folder = Path(user_cache_dir("soptui-bench", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"registry-{n}-{digest.hexdigest()[:16]}.db"
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists():
        return path, json.loads(meta.read_text()), "reused"
    for old in folder.glob(f"registry-{n}-*"):
        old.unlink()
    t = time.perf_counter()
    info = generate(path, n)
    meta.write_text(
        json.dumps(
            {"terms": info["terms"], "sample": {str(k): v for k, v in info["sample"].items()}}, ensure_ascii=False
        )
    )
    return path, json.loads(meta.read_text()), f"{time.perf_counter() - t:.1f} s"


def typing_queries(rng: random.Random) -> list[str]:
    """Search as you type: surnames typed a letter at a time, as a person types them («Т», «Та», «Тар»…)."""
    from soptui import demo

    surnames = rng.sample(demo.MALE_LAST, 10) + [demo.female_surname(s) for s in rng.sample(demo.MALE_LAST, 6)]
    return [s[:k] for s in surnames for k in range(1, len(s) + 1)]


def bench_typing(target: str, queries: list[str]) -> dict:
    """In a process of its own: the registry's search service per typed prefix (page first, as the registry
    asks; then the capped count, its second step), after one warm-up pass; and this process's peak memory."""
    from soptui.core import session
    from soptui.db.connection import db
    from soptui.services import auth, clients
    from soptui.services.store import open_store

    open_store(target)
    session.set_actor(auth.sign_in("spec", PASSWORD))
    for q in queries:  # warm-up: the first pass reads the index pages from disk into the page cache
        clients.search(q, with_total=False)
    page, count = [], []
    for q in queries:
        t = time.perf_counter()
        clients.search(q, with_total=False)
        page.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        clients.search(q, with_total=True)
        count.append((time.perf_counter() - t) * 1000)
    session.set_actor(None)
    db.close()
    return {"page": page, "count": count, "rss_mb": _peak_rss_mb()}


def _typing_in_child(target: str, queries: list[str]) -> dict:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--typing", target, json.dumps(queries, ensure_ascii=False)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "typing run failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _typing_lines(engine: str, n: int, r: dict, store: str) -> list[str]:
    page, count = r["page"], r["count"]
    return [
        f"registry_{engine}_{n // 1000}k_keystroke_median: {statistics.median(page):.1f} ms (goal <= 30 ms; "
        f"the search service per typed prefix, page of 50, {len(page)} keystrokes; store {store})",
        f"registry_{engine}_{n // 1000}k_keystroke_p95: {_pct(page, 95):.1f} ms (goal: none, informative; "
        f"max {max(page):.1f})",
        f"registry_{engine}_{n // 1000}k_keystroke_with_count_median: {statistics.median(count):.1f} ms "
        f"(goal: none, the registry's second step: page + count capped at 1000; p95 {_pct(count, 95):.1f})",
        f"registry_{engine}_{n // 1000}k_peak_rss: {r['rss_mb']:.0f} MB (goal <= 150 MB, the searching process)",
    ]


def run_full() -> list[str]:
    """The million-client figures on SQLite and PostgreSQL (bench/run.py --full)."""
    import pg_cluster

    path, _info, gen_text = _cached_db(FULL_CLIENTS)
    queries = typing_queries(random.Random(14))
    lines = _typing_lines("sqlite", FULL_CLIENTS, _typing_in_child(str(path), queries), gen_text)
    cluster = pg_cluster.cached_cluster()
    if cluster is None:
        return [*lines, "registry_postgresql: skipped (no PostgreSQL server programs)"]
    try:
        name = "registry_" + path.stem.replace("registry-", "").replace("-", "_")
        cluster.drop_like(f"registry_{FULL_CLIENTS}_", keep=name)
        loaded = "reused"
        if not cluster.exists(name):
            t = time.perf_counter()
            url = cluster.fresh_database(name + "_loading")
            pg_cluster.copy_sqlite_into(path, url)
            admin = cluster._admin()
            try:
                admin.cursor().execute(f'ALTER DATABASE "{name}_loading" RENAME TO "{name}"')
            finally:
                admin.close()
            loaded = f"loaded with COPY in {time.perf_counter() - t:.0f} s"
        lines += _typing_lines("postgresql", FULL_CLIENTS, _typing_in_child(cluster.url_of(name), queries), loaded)
    finally:
        cluster.stop()
    return lines


def run(full: bool = False) -> list[str]:
    # the runs below only add sign-in and audit rows to the cached store
    path, info, gen_text = _cached_db()
    queries = _queries(info["sample"], random.Random(11))
    sql_first, sql = bench_sql(path, queries, with_total=False)
    _, sql_count = bench_sql(path, queries, with_total=True)
    ui_queries = queries[:: max(1, len(queries) // 16)][:16]
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--ui", str(path), json.dumps(ui_queries, ensure_ascii=False)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "UI run failed")
    ui = json.loads(proc.stdout.strip().splitlines()[-1])
    lat = ui["latencies"]
    return [
        f"registry_generate_100k: {gen_text} (goal: none; {N_CLIENTS} clients, {info['terms']} search terms, "
        f"cached between runs)",
        f"registry_search_sql_median: {statistics.median(sql):.2f} ms (goal <= 2 ms, page of 50, {len(sql)} queries, "
        f"second pass)",
        f"registry_search_sql_p95: {_pct(sql, 95):.2f} ms (goal: none, informative)",
        f"registry_search_sql_first_pass_median: {statistics.median(sql_first):.2f} ms "
        f"(goal: none, informative; the same queries while the file is still being read into the page cache)",
        f"registry_search_sql_with_count_median: {statistics.median(sql_count):.2f} ms "
        f"(goal: none, page + count capped at 1000)",
        f"registry_search_sql_with_count_p95: {_pct(sql_count, 95):.2f} ms (goal: none, informative)",
        f"registry_keystroke_median: {statistics.median(lat):.1f} ms (goal <= 30 ms, {len(lat)} keystrokes)",
        f"registry_keystroke_p95: {_pct(lat, 95):.1f} ms (goal: none, informative)",
        f"registry_search_to_list_median: {statistics.median(ui['internal']):.1f} ms "
        f"(goal: none, Input.Changed to list shown)",
        f"registry_peak_rss: {ui['rss_mb']:.0f} MB (goal <= 150 MB, registry open on 100k clients)",
    ] + (run_full() if full else [])


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--typing":
        print(json.dumps(bench_typing(sys.argv[2], json.loads(sys.argv[3]))))
    elif len(sys.argv) > 1 and sys.argv[1] == "--ui":
        result = asyncio.run(_ui(sys.argv[2], json.loads(sys.argv[3])))
        print(json.dumps(result))
    else:
        for line in run(full="--full" in sys.argv):
            print(line)
