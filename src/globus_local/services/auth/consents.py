"""Withdrawing a user's consent to a client.

What a client was allowed goes with everything it led to: the client's tokens for the
user, and the dependent tokens the services it called hold for the user (a timer's
Transfer refresh token, a flow run's provider tokens). Those services learn of it the next
time they refresh, as they would from Globus Auth.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from globus_local.kit.tokens import forget_tokens_after_commit
from globus_local.services.auth.models import Consent, Token
from globus_local.services.auth.scopes import scope_owner_clients


def revoke_consent(session: Session, identity_id: str, client_id: str) -> int:
    """Forget the consent and revoke the tokens it led to; how many tokens were live."""
    session.execute(
        delete(Consent).where(Consent.identity_id == identity_id, Consent.client_id == client_id)
    )
    resource_servers = set(
        session.scalars(
            select(Token.resource_server)
            .where(Token.identity_id == identity_id, Token.client_id == client_id)
            .distinct()
        )
    )
    holders = {client_id}
    for rs in resource_servers:
        # A resource server acting for the user holds tokens as its own client.
        holders |= scope_owner_clients(session, rs)
    forget_tokens_after_commit(session)
    result = session.execute(
        update(Token)
        .where(
            Token.identity_id == identity_id,
            Token.client_id.in_(sorted(holders)),
            Token.revoked.is_(False),
        )
        .values(revoked=True)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
