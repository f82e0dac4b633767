"""Hard limits on what Search accepts, so every request is served or refused with a clear 4xx
(or, past the query deadline, the 504 Globus Search answers), never a 500 or a hang.

Each limit names what it protects. Where Globus Search documents a figure (its "Globus
Search Limits" page) the same figure is used, so a document or query accepted here is
accepted there too.
"""

from __future__ import annotations

# -- indices ----------------------------------------------------------------------------------

# Characters in an index's display_name: the width of the column that holds it.
MAX_DISPLAY_NAME = 1000

# -- ingest -----------------------------------------------------------------------------------

# Largest ingest request body accepted (Globus Search documents a 10 MB limit).
MAX_INGEST_BYTES = 10 * 1024 * 1024
# Objects nested in an entry's content, content itself counting one (Globus: "Nested Field Depth").
MAX_FIELD_DEPTH = 20
# Objects and lists nested in content: arrays add no field depth, but every level is recursion.
MAX_JSON_DEPTH = 64
# Principals in one entry's visible_to (Globus documents 100).
MAX_VISIBLE_TO = 100
# Subjects in one batch_delete_by_subject request: each one is a bound SQL parameter.
MAX_DELETE_SUBJECTS = 10_000

# -- queries ----------------------------------------------------------------------------------

# Time one search's SQL may take (Globus Search documents a 30-second query lifetime, then 504).
MAX_QUERY_SECONDS = 30.0

# Characters in ``q``: room for MAX_QUERY_TERMS words of generous length.
MAX_QUERY_CHARS = 32 * 1024
# Words, phrases and ranges in ``q``: Lucene's maxClauseCount, which Globus Search inherits.
MAX_QUERY_TERMS = 1024
# Parentheses nested in an advanced ``q``: the SQL and full-text query parsers have small stacks.
MAX_QUERY_DEPTH = 8
# ``not``/``and``/``or`` filters nested in one another, for the same reason.
MAX_FILTER_DEPTH = 8
# Filters and filter values in one request, all told: each becomes SQL conditions.
MAX_FILTER_CLAUSES = 1024
# Characters in a ``like`` filter's pattern: matched values are at most MAX_VALUE_TEXT long.
MAX_LIKE_CHARS = 4096

# -- facets, boosts, sort ---------------------------------------------------------------------

# Facets in one request: each is one more pass over the matched entries.
MAX_FACETS = 50
# Buckets a ``terms`` or ``numeric_histogram`` facet may ask for: each one is a row to compute.
MAX_FACET_SIZE = 1000
# Buckets all facets of one search return together (Elasticsearch's search.max_buckets).
MAX_BUCKETS = 10_000
# Boosts in one request: each adds a full-text lookup per matched entry.
MAX_BOOSTS = 50
# Sort fields in one request: each adds three lookups per matched entry.
MAX_SORT_FIELDS = 10
