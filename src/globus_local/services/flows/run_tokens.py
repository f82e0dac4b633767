"""The tokens a run acts with: dependent tokens of the user's flow token, one per provider
scope, obtained when the run starts (or resumes) and kept with their refresh tokens so a
run that outlives them, or a worker that resumes it, can go on.

The flow is the resource server its scope names, so it is the flow's own id that asks
Auth for the dependent tokens, in-process, exactly as an outside resource server would.
An action state with ``"RunAs": "Flow"`` acts as the flow's own identity
(``<flow_id>@clients.auth.globus.org``) instead, with a token minted for it as for a
client acting for itself. A state that runs as a role of another name acts with the token
the run's starter supplied for that role in the input's ``_tokens`` object; it is taken
out of the input before anything is stored or logged.
"""

from __future__ import annotations

import time
import typing as t

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from globus_local.config import Settings
from globus_local.flow_language import action_states
from globus_local.kit.errors import BadRequest
from globus_local.services.auth.identities import client_identity
from globus_local.services.auth.models import Client
from globus_local.services.auth.scopes import resolve_scopes
from globus_local.services.auth.service_tokens import acting_client, dependent_tokens, refreshed
from globus_local.services.auth.tokens import token_response
from globus_local.services.flows.models import RunToken

# A token this close to its expiry is refreshed before use.
REFRESH_MARGIN = 300
# The RunAs value that acts as the flow's own identity; its tokens are kept under this prefix.
RUN_AS_FLOW = "Flow"
RUN_AS_USER = "User"
# Where a run's input carries the tokens of its RunAs roles, and how they are kept.
ROLE_TOKENS_KEY = "_tokens"
ROLE_PREFIX = "RunAs:"
# A supplied role token's lifetime is not known here; it is kept this long at most.
ROLE_TOKEN_SECONDS = 48 * 3600


def run_as_roles(definition: dict[str, t.Any]) -> set[str]:
    """The RunAs roles of the flow's action states other than User and Flow."""
    return {
        s.run_as
        for s in action_states(definition)
        if s.run_as and s.run_as not in (RUN_AS_USER, RUN_AS_FLOW)
    }


def take_role_tokens(
    definition: dict[str, t.Any], body: dict[str, t.Any]
) -> tuple[dict[str, t.Any], dict[str, str]]:
    """The input without ``_tokens``, and the token of each role the flow runs as (a 400
    naming a role whose token is missing)."""
    supplied = body.get(ROLE_TOKENS_KEY, {})
    if not isinstance(supplied, dict):
        raise BadRequest(f"{ROLE_TOKENS_KEY} must be an object of role names and tokens")
    rest = {k: v for k, v in body.items() if k != ROLE_TOKENS_KEY}
    tokens: dict[str, str] = {}
    for role in sorted(run_as_roles(definition)):
        token = supplied.get(role)
        if not isinstance(token, str) or not token or "\x00" in token:
            raise BadRequest(
                f"The flow runs states as the role {role!r}: its access token must be "
                f"given in the input at {ROLE_TOKENS_KEY}.{role}"
            )
        tokens[role] = token
    return rest, tokens


def keep_role_tokens(session: Session, run_id: str, tokens: dict[str, str]) -> None:
    """Store the supplied role tokens with the run (gone with it, like its other tokens)."""
    expires = int(time.time()) + ROLE_TOKEN_SECONDS
    for role, token in tokens.items():
        session.add(
            RunToken(
                run_id=run_id,
                scope=ROLE_PREFIX + role,
                resource_server="",
                access_token=token,
                refresh_token=None,
                expires_at=expires,
            )
        )
    session.flush()


def _as_client(flow_id: str) -> Client:
    """The flow acting as the client of its own resource server (never stored)."""
    return acting_client(flow_id, f"Flow {flow_id}")


def grant_run_tokens(
    session: Session, settings: Settings, run_id: str, flow_id: str, flow_token: str
) -> list[str]:
    """Store a token for each scope the flow's scope depends on; returns those scopes.
    Replaces what the run held before (a resume brings fresh consent)."""
    docs = dependent_tokens(session, settings, _as_client(flow_id), flow_token)
    session.execute(delete(RunToken).where(RunToken.run_id == run_id))
    scopes: list[str] = []
    now = int(time.time())
    for doc in docs:
        for scope in str(doc["scope"]).split():
            scopes.append(scope)
            session.add(
                RunToken(
                    run_id=run_id,
                    scope=scope,
                    resource_server=doc["resource_server"],
                    access_token=doc["access_token"],
                    refresh_token=doc.get("refresh_token"),
                    expires_at=now + int(doc["expires_in"]),
                )
            )
    session.flush()
    return scopes


def token_for(
    session: Session, run_id: str, flow_id: str, scope: str, run_as: str = "User"
) -> str | None:
    """The run's access token for ``scope`` (the user's, the flow's own for RunAs Flow,
    or the one supplied for another RunAs role), renewed when near its end; None when the
    run holds none (the user never consented to that scope)."""
    if run_as == RUN_AS_USER:
        key = scope
    elif run_as == RUN_AS_FLOW:
        key = f"{RUN_AS_FLOW}:{scope}"
    else:
        key = ROLE_PREFIX + run_as
    row = session.scalar(select(RunToken).where(RunToken.run_id == run_id, RunToken.scope == key))
    if run_as not in (RUN_AS_USER, RUN_AS_FLOW):
        # A role's token was given by the starter: used as it is, never renewed.
        return row.access_token if row is not None else None
    fresh = row is not None and row.expires_at - REFRESH_MARGIN > time.time()
    if run_as == RUN_AS_FLOW:
        if not fresh:
            if row is not None:
                session.delete(row)
                session.flush()
            row = _flow_token(session, run_id, flow_id, scope, key)
        return row.access_token if row is not None else None
    if row is None:
        return None
    if fresh or not row.refresh_token:
        return row.access_token
    access = refreshed(session, Settings.from_env(), _as_client(flow_id), row.refresh_token)
    row.access_token = access.value
    row.expires_at = access.expires_at
    session.flush()
    return row.access_token


def _flow_token(session: Session, run_id: str, flow_id: str, scope: str, key: str) -> RunToken:
    """A token of the flow's own identity for ``scope``, kept for the rest of the run."""
    settings = Settings.from_env()
    identity = client_identity(session, flow_id, f"Flow {flow_id}")
    doc = token_response(
        session,
        settings,
        client_id=flow_id,
        identity=identity,
        scopes=resolve_scopes(session, [scope]),
        refresh=False,
        id_token=False,
    )
    row = RunToken(
        run_id=run_id,
        scope=key,
        resource_server=doc["resource_server"],
        access_token=doc["access_token"],
        refresh_token=None,
        expires_at=int(time.time()) + int(doc["expires_in"]),
    )
    session.add(row)
    session.flush()
    return row


def drop_run_tokens(session: Session, run_id: str) -> None:
    """A run that ended needs no tokens: none are kept past it."""
    session.execute(delete(RunToken).where(RunToken.run_id == run_id))
