"""Running a search plan: matching entries, grouping them per subject, paging, facets.

Results are subjects (GMetaResult), ranked by their best matching entry; each lists the
matching entries the caller may see. ``total`` counts matching subjects.
"""

from __future__ import annotations

import datetime as dt
import math
import typing as t
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy.engine import Result
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from globus_local.kit.errors import ServiceError
from globus_local.kit.paging import marker_document, split_page
from globus_local.services.search.backends.base import FullTextBackend
from globus_local.services.search.deadline import Deadline, is_timeout, timed_out
from globus_local.services.search.documents import entry_result, meta_result
from globus_local.services.search.errors import validation_error
from globus_local.services.search.limits import MAX_BUCKETS
from globus_local.services.search.query.ast import Term, make_or
from globus_local.services.search.query.compile import (
    TRUE,
    Compiler,
    join,
    positive_terms,
    split_text,
)
from globus_local.services.search.query.request import (
    MAX_RESULTS,
    SearchPlan,
    facet_buckets,
    too_many_buckets,
)
from globus_local.services.search.query.text_match import render_text
from globus_local.services.search.text import date_span

if t.TYPE_CHECKING:
    from typing_extensions import Unpack

T = t.TypeVar("T")


@dataclass
class Matched:
    """``SELECT pk, subject, score[, sort keys] FROM ...`` for the matched entries."""

    sql: str
    sort_keys: list[tuple[str, str]]  # (column alias, "asc"|"desc")
    # The ranked full-text matches, computed once: as a materialized CTE the backend's
    # full-text query runs a single time instead of once per candidate entry.
    ranked: str | None = None

    def with_m(self) -> str:
        """``WITH ... m AS (...)``: the matched entries as the CTE ``m``."""
        ranked = f"r AS MATERIALIZED ({self.ranked}), " if self.ranked else ""
        return f"WITH {ranked}m AS ({self.sql})"


def _retarget(term: Term, field: str) -> Term | None:
    if term.field not in (None, field):
        return None
    return Term(field, term.tokens, term.prefix)


class SearchRun:
    def __init__(
        self,
        session: Session,
        backend: FullTextBackend,
        index_id: str,
        plan: SearchPlan,
        principals: list[str] | None,
    ) -> None:
        self.session = session
        self.backend = backend
        self.index_id = index_id
        self.plan = plan
        self.principals = principals
        self.c = Compiler(backend, index_id)
        self.deadline = Deadline(session)

    def _execute(
        self, sql: str, params: t.Mapping[str, t.Any] | None = None
    ) -> Result[Unpack[tuple[t.Any, ...]]]:
        """Every statement of the search goes through here, within the search's deadline."""
        return self.deadline.execute(sql, params)

    # -- the matched set --------------------------------------------------------------------

    def matched(
        self, *, facet_view: bool = False, with_sort: bool = True, scored: bool = True
    ) -> Matched:
        """The matched entries; ``scored=False`` skips relevance (counts, facets, deletes)."""
        c = self.c
        c.subqueries = 0  # counted per statement
        plan = self.plan
        text_part, rest = split_text(plan.query)
        source = "search_entries e"
        score = "0.0"
        ranked = None
        conds_extra: list[str] = []
        if text_part is not None:
            param = c.bind(render_text(self.backend, text_part))
            ranked = (self.backend.scored_sql if scored else self.backend.ids_sql)(param)
            # CROSS JOIN: the (few) full-text matches drive the loop over entries
            source = "r CROSS JOIN search_entries e"
            score = "r.score" if scored else "0.0"
            conds_extra = ["e.pk = r.pk"]
        elif scored:
            leaves = positive_terms(plan.query)
            if leaves:
                ranked = self.backend.scored_sql(
                    c.bind(render_text(self.backend, make_or(list(leaves))))
                )
                source = "search_entries e LEFT JOIN r ON r.pk = e.pk"
                score = "COALESCE(r.score, 0.0)"
        if scored and plan.boosts and not plan.sort and not facet_view:
            score = self._boosted(score, positive_terms(plan.query))
        conds = [*conds_extra, f"e.index_id = :{c.bind(self.index_id)}"]
        conds.append(c.visibility(self.principals))
        conds += [c.node(n) for n in rest]
        conds += [c.filter(item) for item in plan.filters]
        if not facet_view:  # post-facet filters narrow the results, not what facets count
            conds += [c.filter(item) for item in plan.post_facet_filters]
        columns = [f"{score} AS score"]
        sort_keys: list[tuple[str, str]] = []
        if with_sort:
            for i, item in enumerate(plan.sort):
                agg = "MIN" if item["order"] == "asc" else "MAX"
                p = c.bind(item["field_name"])
                for kind in ("num", "date", "text"):
                    alias = f"s{i}{kind[0]}"
                    columns.append(
                        f"(SELECT {agg}(f.value_{kind}) FROM search_fields f "
                        f"WHERE f.entry_pk = e.pk AND f.path = :{p}) AS {alias}"
                    )
                    sort_keys.append((alias, item["order"]))
        kept = [x for x in conds if x != TRUE]
        where = join(kept, "AND") if kept else TRUE
        sql = (
            f"SELECT e.pk AS pk, e.subject AS subject, {', '.join(columns)} "
            f"FROM {source} WHERE {where}"
        )
        return Matched(sql, sort_keys, ranked)

    def _boosted(self, score: str, leaves: list[Term]) -> str:
        """Multiply the score by each boost's factor when the query matches in its field."""
        factors = []
        for boost in self.plan.boosts:
            targeted = [x for x in (_retarget(term, boost["field_name"]) for term in leaves) if x]
            if not targeted:
                continue
            param = self.c.bind(render_text(self.backend, make_or(list(targeted))))
            factor = self.c.bind(boost["factor"])
            factors.append(
                f"(CASE WHEN e.pk IN ({self.backend.ids_sql(param)}) THEN :{factor} ELSE 1.0 END)"
            )
        return " * ".join([score, *factors]) if factors else score

    # -- results ----------------------------------------------------------------------------

    def run(self) -> dict[str, t.Any]:
        plan = self.plan
        single = self._one_entry_per_subject()
        rows = self._page(single)
        if single and len({row.subject for row in rows}) < len(rows):
            # an entry with an id arrived meanwhile (PostgreSQL, read committed): group
            single = False
            rows = self._page(single)
        if rows:
            total = int(rows[0].total)
        elif plan.offset == 0 and plan.limit > 0:
            total = 0
        else:  # past the last page, or limit 0: count on its own
            m = self.matched(with_sort=False, scored=False)
            total = int(
                self._execute(
                    f"{m.with_m()} SELECT {self._count(single)} FROM m", self.c.params
                ).scalar_one()
            )
        gmeta = self._results(rows)
        count = len(gmeta)
        doc: dict[str, t.Any] = {
            "@datatype": "GSearchResult",
            "@version": "2017-09-01",
            "total": total,
            "count": count,
            "offset": plan.offset,
            "has_next_page": plan.offset + count < min(total, MAX_RESULTS),
            "gmeta": gmeta,
        }
        if plan.facets:
            doc["facet_results"] = self.facets()
        return doc

    def _one_entry_per_subject(self) -> bool:
        """Whether no entry of the index has an id, so every subject has exactly one entry.

        Then results need no grouping by subject (each entry is its own group), which
        saves sorting every match by subject. The partial index on keyed entries answers
        this with one probe.
        """
        found = self._execute(
            "SELECT 1 FROM search_entries WHERE index_id = :index_id AND entry_key <> '' LIMIT 1",
            {"index_id": self.index_id},
        ).first()
        return found is None

    def _page(self, single: bool) -> t.Sequence[t.Any]:
        """The page's ``(subject, pks, total)`` rows, best first."""
        plan = self.plan
        m = self.matched()
        order = []
        for alias, direction in m.sort_keys:
            key = f"m.{alias}" if single else f"{'MIN' if direction == 'asc' else 'MAX'}(m.{alias})"
            order.append(f"({key} IS NULL), {key} {direction.upper()}")
        order.append("m.score DESC" if single else "MAX(m.score) DESC")
        order.append("m.subject ASC")
        limit = self.c.bind(plan.limit)
        offset = self.c.bind(plan.offset)
        # The count reads the matched set ``m`` once more; used twice, ``m`` is computed
        # once (materialized), so counting costs far less than a second statement.
        total = f"(SELECT {self._count(single)} FROM m) AS total"
        if single:
            select = f"SELECT m.subject AS subject, m.pk AS pks, {total} FROM m"
        else:
            select = (
                f"SELECT m.subject AS subject, {self.backend.group_ids('m.pk')} AS pks, {total} "
                "FROM m GROUP BY m.subject"
            )
        sql = f"{m.with_m()} {select} ORDER BY {', '.join(order)} LIMIT :{limit} OFFSET :{offset}"
        return self._execute(sql, self.c.params).all()

    @staticmethod
    def _count(single: bool) -> str:
        """What counts results in ``m``: entries, or subjects when they may have several."""
        return "COUNT(*)" if single else "COUNT(DISTINCT m.subject)"

    def _results(self, rows: t.Sequence[t.Any]) -> list[dict[str, t.Any]]:
        pks = [int(pk) for row in rows for pk in str(row.pks).split(",")]
        if not pks:
            return []
        entries: dict[str, list[tuple[str, str | None, str]]] = defaultdict(list)
        for start in range(0, len(pks), 500):
            chunk = pks[start : start + 500]
            marks = ", ".join(str(pk) for pk in chunk)
            for subject, entry_id, key, content in self._execute(
                "SELECT e.subject, e.entry_id, e.entry_key, c.content FROM search_entries e "
                f"JOIN search_entry_contents c ON c.entry_pk = e.pk WHERE e.pk IN ({marks})"
            ):
                entries[subject].append((key, entry_id, content))
        return [
            meta_result(
                row.subject,
                [entry_result(eid, content) for _key, eid, content in sorted(entries[row.subject])],
            )
            for row in rows
        ]

    def scroll(self, after: str | None) -> dict[str, t.Any]:
        """One scroll page: the next ``limit`` matching subjects after ``after``, in subject
        order, so every matching subject comes exactly once however the walk is paged."""
        single = self._one_entry_per_subject()
        rows = self._scroll_rows(after, single)
        if single and len({row.subject for row in rows}) < len(rows):
            # an entry with an id arrived meanwhile (PostgreSQL, read committed): group
            single = False
            rows = self._scroll_rows(after, single)
        page, more = split_page(rows, self.plan.limit)
        if rows:
            total = int(rows[0].total)
        else:  # past the last subject: count on its own
            m = self.matched(with_sort=False, scored=False)
            total = int(
                self._execute(
                    f"{m.with_m()} SELECT {self._count(single)} FROM m", self.c.params
                ).scalar_one()
            )
        gmeta = self._results(page)
        position = {"index": self.index_id, "after": page[-1].subject} if more else None
        return marker_document("gmeta", gmeta, position, total=total, count=len(gmeta))

    def _scroll_rows(self, after: str | None, single: bool) -> t.Sequence[t.Any]:
        """Up to ``limit + 1`` ``(subject, pks, total)`` rows past ``after``."""
        m = self.matched(with_sort=False, scored=False)
        where = f" WHERE m.subject > :{self.c.bind(after)}" if after is not None else ""
        pks = "m.pk" if single else self.backend.group_ids("m.pk")
        group = "" if single else " GROUP BY m.subject"
        total = f"(SELECT {self._count(single)} FROM m) AS total"
        limit = self.c.bind(self.plan.limit + 1)
        sql = (
            f"{m.with_m()} SELECT m.subject AS subject, {pks} AS pks, {total} FROM m{where}"
            f"{group} ORDER BY m.subject ASC LIMIT :{limit}"
        )
        return self._execute(sql, self.c.params).all()

    def matching_pks(self) -> list[int]:
        """Every matching entry (delete_by_query): no paging, no grouping."""
        m = self.matched(with_sort=False, scored=False)
        rows = self._execute(f"{m.with_m()} SELECT pk FROM m", self.c.params)
        return [int(pk) for (pk,) in rows]

    # -- facets -----------------------------------------------------------------------------

    def facets(self) -> list[dict[str, t.Any]]:
        m = self.matched(facet_view=True, with_sort=False, scored=False)
        out = []
        # what date histograms may return: the other facets' buckets are bounded by the
        # request, a date histogram's by the data it finds
        spare = MAX_BUCKETS - sum(
            facet_buckets(f) for f in self.plan.facets if f["type"] != "date_histogram"
        )
        for facet in self.plan.facets:
            kind = facet["type"]
            if kind == "terms":
                buckets = self._terms(m, facet)
            elif kind == "numeric_histogram":
                buckets = self._numeric_histogram(m, facet)
            elif kind == "date_histogram":
                buckets = self._date_histogram(m, facet, spare)
                spare -= len(buckets)
            else:
                out.append(
                    {
                        "@datatype": "GFacetResult",
                        "@version": "2017-09-01",
                        "name": facet["name"],
                        "value": self._metric(m, facet),
                    }
                )
                continue
            out.append(
                {
                    "@datatype": "GFacetResult",
                    "@version": "2017-09-01",
                    "name": facet["name"],
                    "buckets": [
                        {"@datatype": "GBucket", "@version": "2017-09-01", "value": v, "count": n}
                        for v, n in buckets
                    ],
                }
            )
        return out

    def _field_rows(self, m: Matched, facet: dict[str, t.Any], select: str, extra: str = "") -> str:
        p = self.c.bind(facet["field_name"])
        return (
            f"{m.with_m()} SELECT {select} FROM m "
            f"JOIN search_fields f ON f.entry_pk = m.pk WHERE f.path = :{p}{extra}"
        )

    def _terms(self, m: Matched, facet: dict[str, t.Any]) -> list[tuple[t.Any, int]]:
        size = self.c.bind(facet["size"])
        sql = (
            self._field_rows(
                m,
                facet,
                "f.value_text AS v, MIN(f.value_num) AS num, COUNT(DISTINCT m.subject) AS n",
            )
            + f" GROUP BY f.value_text ORDER BY n DESC, f.value_text ASC LIMIT :{size}"
        )
        buckets = []
        for v, num, n in self._execute(sql, self.c.params):
            value: t.Any = v
            if num is not None:
                value = int(num) if float(num).is_integer() else float(num)
            buckets.append((value, int(n)))
        return buckets

    def _numeric_histogram(self, m: Matched, facet: dict[str, t.Any]) -> list[tuple[t.Any, int]]:
        low, high = facet["histogram_range"]["low"], facet["histogram_range"]["high"]
        size = facet["size"]
        width = (high - low) / size
        lo, hi, w = self.c.bind(low), self.c.bind(high), self.c.bind(width)
        bucket = self.backend.floor_int(f"(f.value_num - :{lo}) / :{w}")
        sql = self._field_rows(
            m,
            facet,
            f"{bucket} AS b, m.subject AS s",
            f" AND f.value_num >= :{lo} AND f.value_num <= :{hi}",
        )
        subjects: dict[int, set[str]] = defaultdict(set)
        for b, s in self._execute(f"SELECT DISTINCT b, s FROM ({sql}) x", self.c.params):
            subjects[min(int(b), size - 1)].add(s)
        return [
            ({"from": low + i * width, "to": low + (i + 1) * width}, len(subjects.get(i, ())))
            for i in range(size)
        ]

    def _date_histogram(
        self, m: Matched, facet: dict[str, t.Any], spare: int
    ) -> list[tuple[t.Any, int]]:
        """Buckets with at least one subject; past ``spare`` of them the search is refused,
        naming the limit, as soon as the rows tell."""
        extra = ""
        rng = facet.get("histogram_range") or {}
        for key, op, idx in (("low", ">=", 0), ("high", "<", 1)):
            span = date_span(str(rng[key])) if rng.get(key) is not None else None
            if span is not None:
                extra += f" AND f.value_date {op} :{self.c.bind(span[idx])}"
        sql = self._field_rows(
            m, facet, "f.value_date AS d, m.subject AS s", extra + " AND f.value_date IS NOT NULL"
        )
        subjects: dict[dt.datetime, set[str]] = defaultdict(set)
        for d, s in self._execute(sql, self.c.params):
            subjects[_bucket_start(float(d), facet["date_interval"])].add(s)
            if len(subjects) > spare:
                raise too_many_buckets(MAX_BUCKETS)
        return [
            (start.strftime("%Y-%m-%dT%H:%M:%S.000Z"), len(subjects[start]))
            for start in sorted(subjects)
        ]

    def _metric(self, m: Matched, facet: dict[str, t.Any]) -> float | None:
        """The sum or mean; None when there is none, or it is beyond a float's range."""
        total_sql = self.backend.float_sum("f.value_num")
        sql = self._field_rows(
            m, facet, f"{total_sql}, COUNT(f.value_num)", " AND f.value_num IS NOT NULL"
        )
        total, count = self._execute(sql, self.c.params).one()
        total = float(total or 0.0)
        count = int(count or 0)
        missing = facet.get("missing")
        if missing is not None:
            p = self.c.bind(facet["field_name"])
            absent = self._execute(
                f"{m.with_m()} SELECT COUNT(*) FROM m WHERE NOT EXISTS ("
                "SELECT 1 FROM search_fields f WHERE f.entry_pk = m.pk "
                f"AND f.path = :{p} AND f.value_num IS NOT NULL)",
                self.c.params,
            ).scalar_one()
            total += missing * int(absent)
            count += int(absent)
        value = total if facet["type"] == "sum" else (total / count if count else None)
        return value if value is not None and math.isfinite(value) else None


def _bucket_start(epoch: float, interval: str) -> dt.datetime:
    when = dt.datetime.fromtimestamp(epoch, dt.timezone.utc).replace(tzinfo=None)
    if interval == "year":
        return when.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    if interval == "quarter":
        month = 3 * ((when.month - 1) // 3) + 1
        return when.replace(month=month, day=1, hour=0, minute=0, second=0, microsecond=0)
    if interval == "month":
        return when.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    day = when.replace(hour=0, minute=0, second=0, microsecond=0)
    if interval == "week":
        return day - dt.timedelta(days=day.weekday())
    if interval == "day":
        return day
    if interval == "hour":
        return when.replace(minute=0, second=0, microsecond=0)
    if interval == "minute":
        return when.replace(second=0, microsecond=0)
    return when.replace(microsecond=0)


# What SQLite says when a statement is too big or deep for it (PostgreSQL: SQLSTATE class 54).
_TOO_COMPLEX = (
    "parser stack overflow",
    "expression tree is too large",
    "too many sql variables",
    "pattern too complex",
)


def _too_complex(err: DBAPIError) -> bool:
    """Whether the database refused the statement for its size or depth, not for a fault."""
    sqlstate = getattr(err.orig, "sqlstate", None)
    if sqlstate:
        return str(sqlstate).startswith("54")
    message = str(err.orig).lower()
    return any(words in message for words in _TOO_COMPLEX)


def _refused() -> ServiceError:
    return validation_error(
        "The search is too complex to run; use fewer or less deeply nested terms, "
        "filters or facets."
    )


def _guarded(run: SearchRun, work: t.Callable[[], T]) -> T:
    """``work()`` within the run's deadline. Statements refused as too big or too deep are
    the request's doing (400); one stopped by the deadline answers 504, as Globus does."""
    try:
        with run.deadline:
            return work()
    except DBAPIError as err:
        if is_timeout(err):
            raise timed_out(run.deadline.seconds) from err
        if _too_complex(err):
            raise _refused() from err
        raise


def run_search(
    session: Session,
    backend: FullTextBackend,
    index_id: str,
    plan: SearchPlan,
    principals: list[str] | None,
) -> dict[str, t.Any]:
    """The GSearchResult of ``plan`` on the index, as seen by ``principals`` (None: all)."""
    run = SearchRun(session, backend, index_id, plan, principals)
    return _guarded(run, run.run)


def run_scroll(
    session: Session,
    backend: FullTextBackend,
    index_id: str,
    plan: SearchPlan,
    principals: list[str] | None,
    after: str | None,
) -> dict[str, t.Any]:
    """The scroll page of ``plan`` after subject ``after`` (None: the first page)."""
    run = SearchRun(session, backend, index_id, plan, principals)
    return _guarded(run, lambda: run.scroll(after))


def matching_entry_pks(
    session: Session, backend: FullTextBackend, index_id: str, plan: SearchPlan
) -> list[int]:
    run = SearchRun(session, backend, index_id, plan, None)
    return _guarded(run, run.matching_pks)
