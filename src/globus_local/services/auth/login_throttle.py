"""Password checks slowed per account and per client address, so guessing does not pay.

A few failures are free (people mistype); past them each failure blocks the account (or
address) for a delay that doubles with every further failure, up to ``MAX_DELAY``. An
attacker is held to a few dozen guesses an hour per account instead of thousands a minute,
and the real user waits minutes at most. A quiet ``FORGET_AFTER`` without failures starts
the count over; a successful login clears the account's count at once. It does not clear
the address's: whoever owns one account could otherwise reset it between guesses at other
people's.

The counts live in the database, so every server process (and host) sees the same ones.
The check before a password is hashed reads at most two rows by primary key; an attempt
refused by it hashes nothing. Only failures write.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import ColumnElement, case, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from globus_local.services.auth.hashing import sha256_hex, verify_password
from globus_local.services.auth.identities import get_identity_by_username
from globus_local.services.auth.models import Identity, IdentityStatus, LoginThrottle

# Failures an account may have before attempts are delayed: room for a few typos.
ACCOUNT_FREE_FAILURES = 5
# An address is often shared (a campus NAT, a proxy), so it gets more room before delays.
ADDRESS_FREE_FAILURES = 20
# The first delay; each further failure doubles it.
FIRST_DELAY = 1
# The longest wait a person can be made to sit through, however many failures came before.
MAX_DELAY = 300
# Seconds without a failure after which the count starts over (and the row may be purged).
FORGET_AFTER = 900
assert FORGET_AFTER >= MAX_DELAY, "a row must outlive the block it records"

_table = LoginThrottle.__table__


@dataclass(frozen=True)
class LoginCheck:
    """The outcome of a password check: who logged in, or how long to wait before trying
    again (0: the credentials were simply wrong)."""

    identity: Identity | None
    retry_after: int = 0


def _key(kind: str, value: str) -> str:
    return sha256_hex(f"{kind}\0{value}")


def account_key(username: str) -> str:
    return _key("account", username.strip().lower())


def address_key(address: str | None) -> str:
    return _key("address", address or "")


def blocked_for(session: Session, keys: tuple[str, ...], now: int) -> int:
    """Seconds until the longest block on any of ``keys`` ends (0: none is blocked)."""
    until = session.scalar(
        select(func.max(_table.c.blocked_until)).where(_table.c.key_hash.in_(keys))
    )
    return max(0, (until or 0) - now)


def delay_after(failures: int, free: int) -> int:
    """The block that follows the ``failures``-th failure in a row."""
    if failures <= free:
        return 0
    return int(min(FIRST_DELAY * 2 ** min(failures - free - 1, 32), MAX_DELAY))


def record_failure(session: Session, key: str, free: int, now: int) -> int:
    """Count a failure against ``key``; returns the block it now carries, in seconds."""
    upsert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    forgotten = _table.c.last_failure <= now - FORGET_AFTER
    statement = (
        upsert(_table)
        .values(key_hash=key, failures=1, last_failure=now, blocked_until=0)
        .on_conflict_do_update(
            index_elements=[_table.c.key_hash],
            set_={
                "failures": case((forgotten, 1), else_=_table.c.failures + 1),
                "last_failure": now,
            },
        )
        .returning(_table.c.failures)
    )
    failures = int(session.execute(statement).scalar_one())
    delay = delay_after(failures, free)
    if delay:
        session.execute(
            update(_table).where(_table.c.key_hash == key).values(blocked_until=now + delay)
        )
    return delay


def verify_login(
    session: Session, username: str, password: str, address: str | None, *, now: int | None = None
) -> LoginCheck:
    """Check a username and password from ``address`` unless either is blocked.

    Unknown usernames count like known ones, so the delays tell nothing about which exist.
    """
    now = int(time.time()) if now is None else now
    account, client = account_key(username), address_key(address)
    wait = blocked_for(session, (account, client), now)
    if wait:
        return LoginCheck(None, wait)
    identity = get_identity_by_username(session, username) if username else None
    ok = verify_password(password, identity.password_hash if identity else None)
    if identity is not None and ok and identity.status == IdentityStatus.USED:
        session.execute(delete(_table).where(_table.c.key_hash == account))
        return LoginCheck(identity)
    wait = max(
        record_failure(session, account, ACCOUNT_FREE_FAILURES, now),
        record_failure(session, client, ADDRESS_FREE_FAILURES, now),
    )
    return LoginCheck(None, wait)


def forgotten(now: int) -> ColumnElement[bool]:
    """The counts nobody has added to for ``FORGET_AFTER``: their blocks are over and the
    next failure would start afresh, so the rows may go."""
    return _table.c.last_failure < now - FORGET_AFTER
