"""The request's database session, as a FastAPI dependency: one per request, shared by
every dependency of it, committed before the response leaves."""

from __future__ import annotations

import typing as t

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from globus_local.db.database import Database, commit_session, discard_session


async def get_session(request: Request) -> t.AsyncIterator[Session]:
    """FastAPI dependency: one session per request, committed when the route returns.

    Opening the session does no I/O (the connection is taken at its first query, in the
    route's thread), so it costs no trip to the thread pool. A sync route commits in its
    own thread (see ``globus_local.routing``); only a session still in a transaction here
    (used by a dependency alone) takes a trip to be committed."""
    db: Database = request.app.state.db
    session = db.sessionmaker()
    try:
        yield session
    except BaseException:
        if session.in_transaction():
            await run_in_threadpool(discard_session, session)
        else:
            session.close()
        raise
    if session.in_transaction():
        await run_in_threadpool(commit_session, session)
    else:
        session.close()


# The session is committed before the response leaves, so a client that sees a 2xx can
# rely on the change being stored.
DbSession = t.Annotated[Session, Depends(get_session, scope="function")]


async def json_from_thread(
    work: t.Callable[[], t.Any], status_code: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    """The JSON response of ``work``, run and encoded in one trip to the thread pool.

    For the hottest routes, which open the sessions or connections they need themselves:
    they skip the ``DbSession`` dependency (its generator and commit) and FastAPI's
    encoder."""
    return await run_in_threadpool(
        lambda: JSONResponse(work(), status_code=status_code, headers=headers)
    )
