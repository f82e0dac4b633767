"""``IdentityMap``: batched, cached resolution of identity ids and usernames.

Resolving identities one request at a time is slow; the map collects the ids and
usernames an app will need and resolves them up to 100 per ``get_identities`` call,
caching every record under both its id and its username.
"""

from __future__ import annotations

import logging
import typing as t
import uuid

if t.TYPE_CHECKING:
    from globus_sdk.services.auth.client.base import AuthClient

log = logging.getLogger(__name__)

#: The most ids/usernames Globus Auth accepts in one identities lookup.
DEFAULT_ID_BATCH_SIZE = 100


def is_identity_id(value: str) -> bool:
    """True for a UUID-shaped string (an identity id); anything else is a username."""
    try:
        uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        return False
    return True


def _normalize(key: str) -> str:
    # ids and usernames are both case-insensitive in Globus Auth
    return key.lower()


class IdentityMap:
    """A mapping-like object from identity ids and usernames to identity records
    (dicts), backed by batched, cached calls to Globus Auth.

    Seed it with ids/usernames (at creation or via :meth:`add`), then look them up with
    ``idmap[key]`` or :meth:`get`. A key not yet seeded is added on lookup. Identities not
    found in Globus Auth raise KeyError on lookup (and are not asked for again).

    :param auth_client: The client object which will be used for lookups
    :param identity_ids: usernames and/or identity ids (mixed) to seed the map with
    :param id_batch_size: a non-default batch size (at most 100 is recommended)
    :param cache: a mutable mapping to store resolved records in, e.g. one shared
        between several maps (a fresh dict by default)
    """

    def __init__(
        self,
        auth_client: AuthClient,
        identity_ids: t.Iterable[str] | None = None,
        *,
        id_batch_size: int | None = None,
        cache: t.MutableMapping[str, t.Any] | None = None,
    ) -> None:
        self.auth_client = auth_client
        self.id_batch_size = id_batch_size or DEFAULT_ID_BATCH_SIZE
        # the keys still to resolve, split by the kind of lookup they need
        self.unresolved_ids: set[str] = set()
        self.unresolved_usernames: set[str] = set()
        self._cache: t.MutableMapping[str, t.Any] = cache if cache is not None else {}
        # keys Globus Auth did not know: looking them up again would only repeat a request
        self._not_found: set[str] = set()
        for identity_id in identity_ids or ():
            self.add(identity_id)

    def add(self, identity_id: str) -> bool:
        """Add a username or ID to the IdentityMap for batch lookups later.

        Returns True if the ID was added for lookup, False if it was rejected as a
        duplicate of an already known name.

        :param identity_id: A string Identity ID or Identity Name (a.k.a. "username")
        """
        key = str(identity_id)
        if key in self._cache or key in self._not_found:
            return False
        pending = self.unresolved_ids if is_identity_id(key) else self.unresolved_usernames
        if key in pending:
            return False
        pending.add(key)
        return True

    def _next_batch(self, key: str, pending: set[str]) -> list[str]:
        """``key`` plus up to ``id_batch_size - 1`` other pending keys of its kind."""
        batch = [key]
        for other in sorted(pending):
            if len(batch) >= self.id_batch_size:
                break
            if other in self._cache:  # resolved meanwhile, e.g. by its id
                pending.discard(other)
            elif other != key:
                batch.append(other)
        return batch

    def _fetch_batch_including(self, key: str) -> None:
        by_id = is_identity_id(key)
        pending = self.unresolved_ids if by_id else self.unresolved_usernames
        batch = self._next_batch(key, pending)
        log.debug("resolving %d identities by %s", len(batch), "id" if by_id else "username")
        if by_id:
            response = self.auth_client.get_identities(ids=batch)
        else:
            response = self.auth_client.get_identities(usernames=batch)
        found: dict[str, dict[str, t.Any]] = {}
        for record in response.get("identities") or []:
            for field in ("id", "username"):
                value = record.get(field)
                if isinstance(value, str):
                    self._cache[value] = record
                    found[_normalize(value)] = record
        for requested in batch:
            pending.discard(requested)
            record = found.get(_normalize(requested))
            # remember the spelling that was asked for (e.g. an uppercase UUID)
            if record is None:
                self._not_found.add(requested)
            elif requested not in self._cache:
                self._cache[requested] = record

    def __getitem__(self, key: str) -> t.Any:
        """IdentityMap supports dict-like lookups with ``map[key]``."""
        key = str(key)
        if key not in self._cache and key not in self._not_found:
            self.add(key)
            self._fetch_batch_including(key)
        return self._cache[key]

    def get(self, key: str, default: t.Any | None = None) -> t.Any:
        """A dict-like get() method which accepts a default value."""
        try:
            return self[key]
        except KeyError:
            return default

    def __delitem__(self, key: str) -> None:
        """IdentityMap supports ``del map[key]``. This only removes lookup values from
        the cache and will not impact the set of unresolved/pending IDs."""
        del self._cache[key]

    def __contains__(self, key: object) -> bool:
        """True for keys already resolved into the cache (no lookup is made)."""
        return key in self._cache

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(resolved={len(self._cache)}, "
            f"pending={len(self.unresolved_ids) + len(self.unresolved_usernames)})"
        )
