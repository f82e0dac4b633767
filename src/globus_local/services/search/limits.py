"""Hard limits on what Search accepts, so every request is either served or refused with a 400.

Each limit names what it protects. Where Globus Search documents a figure (its "Globus
Search Limits" page) the same figure is used, so a document or query accepted here is
accepted there too.
"""

from __future__ import annotations

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
