"""The queue's own upkeep, as a recurring job: events older than ``EVENT_RETENTION`` go,
so the events table stays bounded however long the platform runs."""

from __future__ import annotations

import datetime as dt

from globus_local.db import utcnow
from globus_local.jobs import events
from globus_local.jobs.context import JobContext
from globus_local.jobs.recurring import recurring_job

PURGE_EVENTS = "jobs.purge_events"
# Long enough to look into what happened to a job last week; events then only cost space.
EVENT_RETENTION = dt.timedelta(days=7)
PURGE_EVERY = 3600.0


@recurring_job(PURGE_EVENTS, every=PURGE_EVERY)
def purge_old_events(ctx: JobContext) -> dict[str, int]:
    return {"events": events.purge(ctx.db, utcnow() - EVENT_RETENTION)}
