"""Scope strings for Globus services, built from a resource server and scope names."""

from __future__ import annotations

import typing as t
import uuid

_URN_PREFIX = "urn:globus:auth:scope:"
_URL_PREFIX = "https://auth.globus.org/scopes/"


class ScopeBuilder:
    """Utility class for creating scope strings for a specified resource server.

    :param resource_server: the identifier (domain name or UUID) of the resource server
    :param known_scopes: scope names to set as attributes, in URN format
    :param known_url_scopes: scope names to set as attributes, in URL format
    """

    def __init__(
        self,
        resource_server: str,
        *,
        known_scopes: list[str] | None = None,
        known_url_scopes: list[str] | None = None,
    ) -> None:
        self.resource_server = str(resource_server)
        self._known_scope_names: list[str] = []
        for name in known_scopes or ():
            self._register(name, self.urn_scope_string(name))
        for name in known_url_scopes or ():
            self._register(name, self.url_scope_string(name))

    def _register(self, name: str, scope: str) -> None:
        setattr(self, name, scope)
        if name not in self._known_scope_names:
            self._known_scope_names.append(name)

    def __getattr__(self, name: str) -> str:
        # only reached for names that are not set; declared so dynamic scope
        # attributes type-check as str
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def urn_scope_string(self, scope_name: str) -> str:
        """The scope ``scope_name`` of this resource server in Globus Auth URN format.

        >>> ScopeBuilder("transfer.api.globus.org").urn_scope_string("all")
        'urn:globus:auth:scope:transfer.api.globus.org:all'
        """
        return f"{_URN_PREFIX}{self.resource_server}:{scope_name}"

    def url_scope_string(self, scope_name: str) -> str:
        """The scope ``scope_name`` of this resource server in URL format.

        >>> ScopeBuilder("actions.globus.org").url_scope_string("hello_world")
        'https://auth.globus.org/scopes/actions.globus.org/hello_world'
        """
        return f"{_URL_PREFIX}{self.resource_server}/{scope_name}"

    def _known_scopes(self) -> dict[str, str]:
        names = list(self._known_scope_names)
        for cls in type(self).__mro__:
            for name, value in vars(cls).items():
                if isinstance(value, property) and name not in names:
                    names.append(name)
        return {name: getattr(self, name) for name in names}

    def __str__(self) -> str:
        lines = [f"{type(self).__name__}[{self.resource_server}]"]
        for name, scope in self._known_scopes().items():
            lines.append(f"  {name}: {scope}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.resource_server!r})"


class GCSEndpointScopeBuilder(ScopeBuilder):
    """ScopeBuilder for a GCS Endpoint (resource server = the endpoint ID).

    >>> GCSEndpointScopeBuilder("xyz").manage_collections
    'urn:globus:auth:scope:xyz:manage_collections'
    """

    def __init__(
        self,
        resource_server: str | uuid.UUID,
        *,
        known_scopes: list[str] | None = None,
        known_url_scopes: list[str] | None = None,
    ) -> None:
        super().__init__(
            str(resource_server), known_scopes=known_scopes, known_url_scopes=known_url_scopes
        )

    @property
    def manage_collections(self) -> str:
        """The scope for managing the endpoint's collections."""
        return self.urn_scope_string("manage_collections")


class GCSCollectionScopeBuilder(ScopeBuilder):
    """ScopeBuilder for a GCS Collection (resource server = the collection ID).

    >>> GCSCollectionScopeBuilder("xyz").data_access
    'https://auth.globus.org/scopes/xyz/data_access'
    """

    def __init__(
        self,
        resource_server: str | uuid.UUID,
        *,
        known_scopes: list[str] | None = None,
        known_url_scopes: list[str] | None = None,
    ) -> None:
        super().__init__(
            str(resource_server), known_scopes=known_scopes, known_url_scopes=known_url_scopes
        )

    @property
    def data_access(self) -> str:
        """The scope granting data access on the collection (e.g. for transfers)."""
        return self.url_scope_string("data_access")

    @property
    def https(self) -> str:
        """The scope for HTTPS access to the collection's files."""
        return self.url_scope_string("https")


class _AuthScopesBuilder(ScopeBuilder):
    """Auth also has the bare OpenID Connect scopes."""

    openid: t.ClassVar[str] = "openid"
    email: t.ClassVar[str] = "email"
    profile: t.ClassVar[str] = "profile"

    def _known_scopes(self) -> dict[str, str]:
        return {
            "openid": self.openid,
            "email": self.email,
            "profile": self.profile,
            **super()._known_scopes(),
        }


#: Globus Auth scopes.
AuthScopes = _AuthScopesBuilder(
    "auth.globus.org",
    known_scopes=[
        "view_authentications",
        "view_clients",
        "view_clients_and_scopes",
        "view_identities",
        "view_identity_set",
    ],
)

#: Groups scopes.
GroupsScopes = ScopeBuilder(
    "groups.api.globus.org", known_scopes=["all", "view_my_groups_and_memberships"]
)

#: Nexus scopes (internal use only).
NexusScopes = ScopeBuilder("nexus.api.globus.org", known_scopes=["groups"])

#: Globus Search scopes.
SearchScopes = ScopeBuilder(
    "search.api.globus.org",
    known_scopes=["all", "globus_connect_server", "ingest", "search"],
)

#: Globus Transfer scopes.
TransferScopes = ScopeBuilder(
    "transfer.api.globus.org", known_scopes=["all", "gcp_install", "monitor_ongoing"]
)

__all__ = (
    "ScopeBuilder",
    "GCSEndpointScopeBuilder",
    "GCSCollectionScopeBuilder",
    "AuthScopes",
    "GroupsScopes",
    "NexusScopes",
    "SearchScopes",
    "TransferScopes",
)
