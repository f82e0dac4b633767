"""Search benchmark: ingest N generated documents, then time a fixed query mix.

Prints ingest documents/s and query p50/p99 for
  * the platform over HTTP (SearchClient.post_search against a local server),
  * the platform's search called in-process (no HTTP/JSON): the engine the server uses,
  * the floors: the same queries run directly on a bare FTS5 table of the same text, and
    on a bare tantivy index of the same text (top 10 plus the count, each).

Usage:  .venv/bin/python benchmarks/search.py [--docs 100000] [--repeat 30]
        [--engine tantivy|sql]   (SQLite: the tantivy copies, default, or SQL alone)
        [--database-url postgresql://...]   (always SQL)
        [--entry-ids]   (give every entry an id: results are then grouped by subject)
        [--ingest-only]   (the ingest rate alone)
Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sqlite3
import statistics
import string
import tempfile
import time
import typing as t
from pathlib import Path

import tantivy
from sqlalchemy import select, update

import globus_sdk
from globus_local.db import utcnow
from globus_local.db.bulk import insert_rows
from globus_local.services.auth.scopes import SEARCH_ALL
from globus_local.services.search.access import get_index
from globus_local.services.search.backends.select import engine_name, store_for, use_engine
from globus_local.services.search.bulk import insert_many
from globus_local.services.search.entries import search_plan
from globus_local.services.search.ingest import validate_ingest
from globus_local.services.search.models import SearchEntry, SearchIndex
from globus_local.services.search.query.request import build_plan
from globus_local.services.search.tantivy_store import SCHEMA, WS, EntryDoc, stamp_of
from globus_local.services.search.tasks import INGEST, submit_task
from globus_local.services.search.text import flatten
from globus_local.testing import LocalServer

BATCH = 2000
TAGS = [f"tag{i}" for i in range(50)]


def vocabulary(rng: random.Random, size: int = 5000) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 9))))
    return sorted(words)


def generate(
    n: int, seed: int = 7, entry_ids: bool = False
) -> tuple[list[dict[str, t.Any]], list[str]]:
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    weights = [1.0 / (rank + 1) for rank in range(len(vocab))]  # Zipf-like word frequencies
    docs = []
    for i in range(n):
        words = rng.choices(vocab, weights, k=30)
        year = rng.randint(1900, 2020)
        docs.append(
            {
                "subject": f"https://example.org/doc/{i}",
                "visible_to": ["public"],
                "content": {
                    "title": " ".join(words[:5]),
                    "body": " ".join(words[5:]),
                    "author": {"name": f"{rng.choice(vocab).title()} {rng.choice(vocab).title()}"},
                    "tags": rng.sample(TAGS, rng.randint(1, 3)),
                    "year": year,
                    "date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    "size": rng.randint(1, 10_000),
                },
            }
        )
        if entry_ids:
            docs[-1]["id"] = "metadata"
    return docs, vocab


def query_mix(vocab: list[str]) -> list[tuple[str, dict[str, t.Any], str]]:
    """(label, GSearchRequest, equivalent bare FTS5 MATCH)."""
    common, mid, rare = vocab[0], vocab[50], vocab[3000]
    # vocabulary() sorts words, and the Zipf weights follow that order: vocab[0] is the most
    # frequent word, vocab[3000] a rare one.
    return [
        ("common term", {"q": common}, f'"{common}"'),
        ("mid term", {"q": mid}, f'"{mid}"'),
        ("rare term", {"q": rare}, f'"{rare}"'),
        ("two terms AND", {"q": f"{mid} {vocab[60]}"}, f'"{mid}" AND "{vocab[60]}"'),
        ("phrase", {"q": f'"{common} {vocab[1]}"'}, f'"{common} {vocab[1]}"'),
        ("prefix", {"q": f"{mid[:3]}*"}, f'"{mid[:3]}"*'),
        (
            "term OR term",
            {"q": f"{rare} OR {vocab[2000]}", "advanced": True},
            f'"{rare}" OR "{vocab[2000]}"',
        ),
        (
            "term + match_any filter",
            {
                "q": mid,
                "filters": [{"type": "match_any", "field_name": "tags", "values": ["tag3"]}],
            },
            f'"{mid}" AND "tag3"',
        ),
        (
            "term + range filter",
            {
                "q": mid,
                "filters": [
                    {"type": "range", "field_name": "year", "values": [{"from": 1950, "to": 1960}]}
                ],
            },
            f'"{mid}"',
        ),
    ]


def queue_ingest(server: LocalServer, index_id: str, body: dict[str, t.Any]) -> str:
    """An ingest task queued as the route queues it, without HTTP; the server's job
    workers apply it."""
    with server.db.session() as session:
        index = get_index(session, index_id)
        task = submit_task(session, index, INGEST, {"entries": validate_ingest(body)})
        return str(task.task_id)


def load_copy(server: LocalServer, index_id: str, docs: list[dict[str, t.Any]]) -> None:
    """Entries and contents rows, and the index's tantivy copy stamped as the ingest job
    stamps it; nothing else (the SQL engine could not answer this index)."""
    store = store_for(server.db)
    assert store is not None, "--load-copy needs the tantivy engine"
    with server.db.session() as session:
        session.execute(
            update(SearchIndex)
            .where(SearchIndex.id == index_id)
            .values(content_last_modified=utcnow())
        )
        stamp = stamp_of(
            session.scalar(
                select(SearchIndex.content_last_modified).where(SearchIndex.id == index_id)
            )
        )
        path = store.path(index_id)
        path.mkdir(parents=True)
        (path / "stamp").write_text(stamp)
        index = tantivy.Index(SCHEMA, path=str(path))
        index.register_tokenizer(
            WS, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
        )
        writer = index.writer(heap_size=400_000_000, num_threads=2)
        for start in range(0, len(docs), 10_000):
            batch = docs[start : start + 10_000]
            rows = [
                {
                    "index_id": index_id,
                    "subject": d["subject"],
                    "entry_id": None,
                    "entry_key": "",
                    "visible_to": d["visible_to"],
                    "is_public": True,
                    "size_bytes": 0,
                    "modified": utcnow(),
                }
                for d in batch
            ]
            pks = insert_rows(session, SearchEntry.__table__, rows, returning_ids=True)
            contents = [(pk, json.dumps(d["content"])) for pk, d in zip(pks, batch, strict=True)]
            insert_many(session, "search_entry_contents", ("entry_pk", "content"), contents)
            for pk, d in zip(pks, batch, strict=True):
                flat = flatten(d["content"])
                writer.add_document(
                    EntryDoc(pk, d["subject"], flat.text, d["visible_to"], flat.fields).document()
                )
        writer.commit()
        writer.wait_merging_threads()


def load_average() -> str:
    """The machine's load average (1, 5, 15 min): other jobs share its cores."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed(fn: t.Callable[[], t.Any], repeat: int, cpu: list[float] | None = None) -> list[float]:
    """Wall-clock milliseconds per call; ``cpu`` also gets this thread's CPU milliseconds
    (less sensitive than wall time to other jobs sharing the machine)."""
    fn()  # warm caches
    out = []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.thread_time()
        fn()
        out.append((time.perf_counter() - start) * 1000)
        if cpu is not None:
            cpu.append((time.thread_time() - start_cpu) * 1000)
    return out


def bare_fts(docs: list[dict[str, t.Any]], path: Path) -> tuple[sqlite3.Connection, float]:
    """The floor: one FTS5 table of the documents' text (title, body, author, tags)."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE VIRTUAL TABLE docs USING fts5(body)")
    start = time.perf_counter()
    rows = []
    for i, doc in enumerate(docs):
        c = doc["content"]
        rows.append(
            (i + 1, f"{c['title']} {c['body']} {c['author']['name']} {' '.join(c['tags'])}")
        )
    conn.executemany("INSERT INTO docs (rowid, body) VALUES (?, ?)", rows)
    conn.commit()
    return conn, time.perf_counter() - start


def bare_tantivy(docs: list[dict[str, t.Any]], path: Path) -> tuple[tantivy.Index, float]:
    """The other floor: a tantivy index of the same text, one field, default tokenizer."""
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("body")
    path.mkdir()
    index = tantivy.Index(sb.build(), path=str(path))
    start = time.perf_counter()
    writer = index.writer(heap_size=128_000_000, num_threads=1)
    for doc in docs:
        c = doc["content"]
        body = f"{c['title']} {c['body']} {c['author']['name']} {' '.join(c['tags'])}"
        writer.add_document(tantivy.Document(body=body))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return index, time.perf_counter() - start


def bare_tantivy_query(index: tantivy.Index, match: str) -> None:
    """Top 10 by BM25 plus the count; ``match`` in FTS5 syntax reads the same here, but for
    a prefix (``"abc"*``: every term starting so)."""
    if match.endswith("*"):
        query = tantivy.Query.regex_query(index.schema, "body", match.strip('"*') + ".*")
    else:
        query = index.parse_query(match, ["body"])
    index.searcher().search(query, 10, count=True)


def bare_query(conn: sqlite3.Connection, match: str) -> None:
    """Top 10 by bm25 plus the total, as a search page needs."""
    conn.execute(
        "SELECT rowid, rank FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 10", (match,)
    ).fetchall()
    conn.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", (match,)).fetchone()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--engine", choices=["tantivy", "sql"], default="tantivy")
    ap.add_argument(
        "--load-copy",
        action="store_true",
        help="write entries, contents and the tantivy copy directly (no FTS5 or field rows:"
        " only the tantivy path answers); for sizes the ingest path takes too long to fill",
    )
    ap.add_argument(
        "--direct",
        action="store_true",
        help="queue the ingest tasks in-process instead of over HTTP (same jobs, no HTTP)",
    )
    ap.add_argument(
        "--entry-ids",
        action="store_true",
        help="give entries an id, so the engine must group results by subject",
    )
    ap.add_argument(
        "--ingest-only",
        action="store_true",
        help="stop after the ingest and its rate (no floors, no queries)",
    )
    args = ap.parse_args()

    docs, vocab = generate(args.docs, entry_ids=args.entry_ids)
    # The server runs in this process: without this, each of its garbage collections
    # would walk the client's generated documents too, as a separate server's would not.
    gc.freeze()
    with tempfile.TemporaryDirectory() as tmp:
        server = LocalServer(data_dir=Path(tmp), database_url=args.database_url).start()
        try:
            use_engine(server.db, args.engine)
            server.create_user("bench@example.org", "bench-password")
            token = server.token("bench@example.org", [SEARCH_ALL])["access_token"]
            sc = globus_sdk.SearchClient(
                base_url=server.service_url("search"),
                authorizer=globus_sdk.AccessTokenAuthorizer(token),
            )
            index_id = sc.post("/v1/index", data={"display_name": "bench"})["id"]

            start, start_cpu = time.perf_counter(), time.process_time()
            task_ids = []
            if args.load_copy:
                load_copy(server, index_id, docs)
            for i in range(0, len(docs) if not args.load_copy else 0, BATCH):
                body = {"ingest_type": "GMetaList", "ingest_data": {"gmeta": docs[i : i + BATCH]}}
                if args.direct:
                    task_ids.append(queue_ingest(server, index_id, body))
                else:
                    task_ids.append(sc.ingest(index_id, body)["task_id"])
            for task_id in task_ids:
                while sc.get_task(task_id)["state"] not in ("SUCCESS", "FAILED"):
                    time.sleep(0.05)
            ingest_s = time.perf_counter() - start
            ingest_cpu = time.process_time() - start_cpu
            if not args.load_copy:
                assert sc.get_index(index_id)["num_entries"] == len(docs)
            print(f"ingested {len(docs)} in {ingest_s:.1f} s", flush=True)
            print(
                f"ingest: {len(docs) / ingest_s:,.0f} docs/s, CPU (client, server and its"
                f" job workers) {ingest_cpu / len(docs) * 1e6:.0f} us/doc, {load_average()}",
                flush=True,
            )
            if args.ingest_only:
                return

            floor_conn, floor_s = bare_fts(docs, Path(tmp) / "bare.sqlite3")
            floor_tv, floor_tv_s = bare_tantivy(docs, Path(tmp) / "bare-tantivy")
            dialect = server.db.dialect
            engine_used = engine_name(server.db)
            ids = "   entries with ids" if args.entry_ids else ""
            print(
                f"documents: {len(docs)}   database: {dialect}   engine: {engine_used}"
                f"   repeat: {args.repeat}{ids}"
            )
            how = (
                "copy loaded directly"
                if args.load_copy
                else "in-process"
                if args.direct
                else "HTTP"
            )
            print(f"ingest ({how}, async tasks, {dialect}): {len(docs) / ingest_s:,.0f} docs/s")
            print(f"ingest (bare FTS5 table, text only):   {len(docs) / floor_s:,.0f} docs/s")
            print(f"ingest (bare tantivy, text only):      {len(docs) / floor_tv_s:,.0f} docs/s")
            header = f"{'query':26} {'hits':>7} | {'HTTP p50':>9} {'p99':>7} | {'engine p50':>10} {'p99':>7} | {'bare p50':>9} {'p99':>7} | {'tantivy p50':>11} {'p99':>7} | ratio | CPU ratio"
            print(header)
            print("-" * len(header))
            all_http, all_engine, all_bare, all_tv = [], [], [], []
            all_engine_cpu: list[float] = []
            all_bare_cpu: list[float] = []
            for label, request, match in query_mix(vocab):
                hits = sc.post_search(index_id, request)["total"]
                http = timed(lambda r=request: sc.post_search(index_id, r), args.repeat)

                def engine(r: dict[str, t.Any] = request) -> None:
                    with server.db.session() as session:
                        index = get_index(session, index_id)
                        search_plan(session, server.db, index, build_plan(r), [])

                eng_cpu: list[float] = []
                bare_cpu: list[float] = []
                eng = timed(engine, args.repeat, eng_cpu)
                bare = timed(lambda m=match: bare_query(floor_conn, m), args.repeat, bare_cpu)
                tv = timed(lambda m=match: bare_tantivy_query(floor_tv, m), args.repeat)
                all_tv += tv
                all_engine_cpu += eng_cpu
                all_bare_cpu += bare_cpu
                cpu_ratio = statistics.median(eng_cpu) / statistics.median(bare_cpu)
                all_http += http
                all_engine += eng
                all_bare += bare
                ratio = statistics.median(eng) / statistics.median(bare)
                print(
                    f"{label:26} {hits:>7} | {percentile(http, 50):8.2f}ms {percentile(http, 99):6.1f}"
                    f" | {percentile(eng, 50):9.2f}ms {percentile(eng, 99):6.1f}"
                    f" | {percentile(bare, 50):8.2f}ms {percentile(bare, 99):6.1f}"
                    f" | {percentile(tv, 50):10.2f}ms {percentile(tv, 99):6.1f} | {ratio:4.1f}x"
                    f" | {cpu_ratio:4.1f}x"
                )
            print("-" * len(header))
            print(
                f"{'all queries':26} {'':>7} | {percentile(all_http, 50):8.2f}ms {percentile(all_http, 99):6.1f}"
                f" | {percentile(all_engine, 50):9.2f}ms {percentile(all_engine, 99):6.1f}"
                f" | {percentile(all_bare, 50):8.2f}ms {percentile(all_bare, 99):6.1f}"
                f" | {percentile(all_tv, 50):10.2f}ms {percentile(all_tv, 99):6.1f}"
                f" | {percentile(all_engine, 50) / percentile(all_bare, 50):4.1f}x engine,"
                f" {percentile(all_http, 50) / percentile(all_bare, 50):4.1f}x HTTP"
            )
            engine_cpu, bare_cpu_p50 = percentile(all_engine_cpu, 50), percentile(all_bare_cpu, 50)
            print(
                f"CPU time p50, all queries: engine {engine_cpu:.2f}ms, bare {bare_cpu_p50:.2f}ms"
                f" ({engine_cpu / bare_cpu_p50:.1f}x)"
            )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
