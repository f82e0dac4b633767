"""GCSClient: one method per GCS Manager API operation (collections as in 3.2, plus the
endpoint, storage gateway, role, user credential and info calls later SDKs added)."""

from __future__ import annotations

import typing as t
import uuid

from globus_sdk import client, paging, response, utils
from globus_sdk.authorizers import GlobusAuthorizer
from globus_sdk.scopes import GCSCollectionScopeBuilder, GCSEndpointScopeBuilder
from globus_sdk.services.gcs.data import CollectionDocument
from globus_sdk.services.gcs.errors import GCSAPIError
from globus_sdk.services.gcs.response import IterableGCSResponse, UnpackingGCSResponse

UUIDLike = t.Union[uuid.UUID, str]
Payload = t.Union[dict[str, t.Any], utils.PayloadWrapper]


def manager_url(gcs_address: str) -> str:
    """The API root for a GCS address: ``https://<address>/api/`` for a DNS name (or
    ``host:port``); a URL (https, or http for a local manager) gets ``/api/`` unless it
    already ends with it, so Transfer's ``gcs_manager_url`` can be passed as it is."""
    if not gcs_address.startswith(("https://", "http://")):
        return f"https://{gcs_address}/api/"
    base = gcs_address.rstrip("/")
    if not base.endswith("/api"):
        base += "/api"
    return base + "/"


def _joined(value: t.Iterable[str] | str | None) -> str | None:
    """An ``include`` or ``filter`` value: a string as is, an iterable comma-joined."""
    if value is None or isinstance(value, str):
        return value
    return ",".join(utils.safe_strseq_iter(value))


def _params(query_params: dict[str, t.Any] | None, **named: t.Any) -> dict[str, t.Any]:
    """Named parameters (None ones dropped) over the caller's passthrough ones."""
    merged = dict(query_params or {})
    merged.update({k: v for k, v in named.items() if v is not None})
    return merged


class GCSClient(client.BaseClient):
    """
    A GCSClient provides communication with the GCS Manager API of a Globus Connect
    Server instance.

    Unlike other client types, this must be provided with an address for the GCS
    Manager. All other arguments are the same as those for
    :class:`~globus_sdk.BaseClient`.

    :param gcs_address: The FQDN (DNS name) or HTTPS URL for the GCS Manager API
        (an ``http://`` URL is accepted for a manager served without TLS)
    """

    service_name = "globus_connect_server"
    error_class = GCSAPIError

    def __init__(
        self,
        gcs_address: str,
        *,
        environment: str | None = None,
        authorizer: GlobusAuthorizer | None = None,
        app_name: str | None = None,
        transport_params: dict[str, t.Any] | None = None,
    ) -> None:
        super().__init__(
            environment=environment,
            base_url=manager_url(gcs_address),
            authorizer=authorizer,
            app_name=app_name,
            transport_params=transport_params,
        )
        self._endpoint_client_id: str | None = None

    @staticmethod
    def get_gcs_endpoint_scopes(endpoint_id: UUIDLike) -> GCSEndpointScopeBuilder:
        """Given a GCS Endpoint ID, this helper constructs an object containing the
        scopes for that Endpoint.

        :param endpoint_id: The ID of the Endpoint
        """
        return GCSEndpointScopeBuilder(str(endpoint_id))

    @staticmethod
    def get_gcs_collection_scopes(collection_id: UUIDLike) -> GCSCollectionScopeBuilder:
        """Given a GCS Collection ID, this helper constructs an object containing the
        scopes for that Collection.

        :param collection_id: The ID of the Collection
        """
        return GCSCollectionScopeBuilder(str(collection_id))

    @property
    def endpoint_client_id(self) -> str:
        """The client id of the GCS Manager (the resource server of its tokens), read
        once from ``GET /info``."""
        if self._endpoint_client_id is None:
            self._endpoint_client_id = str(self.get_gcs_info()["client_id"])
        return self._endpoint_client_id

    # -- info and endpoint ---------------------------------------------------------------

    def get_gcs_info(self, query_params: dict[str, t.Any] | None = None) -> UnpackingGCSResponse:
        """``GET /info``: the manager's version, its endpoint and client id (no
        authorization needed)."""
        return UnpackingGCSResponse(self.get("info", query_params=query_params), "info")

    def get_endpoint(self, query_params: dict[str, t.Any] | None = None) -> UnpackingGCSResponse:
        """``GET /endpoint``"""
        return UnpackingGCSResponse(self.get("endpoint", query_params=query_params), "endpoint")

    def update_endpoint(
        self,
        endpoint_data: Payload,
        *,
        include: t.Iterable[str] | str | None = None,
        query_params: dict[str, t.Any] | None = None,
    ) -> UnpackingGCSResponse:
        """``PATCH /endpoint``; ``include="endpoint"`` returns the updated document."""
        return UnpackingGCSResponse(
            self.patch(
                "endpoint",
                data=endpoint_data,
                query_params=_params(query_params, include=_joined(include)),
            ),
            "endpoint",
        )

    # -- collections ---------------------------------------------------------------------

    @paging.has_paginator(paging.MarkerPaginator, items_key="data")
    def get_collection_list(
        self,
        *,
        mapped_collection_id: UUIDLike | None = None,
        filter: t.Iterable[str] | str | None = None,  # noqa: A002 (the API's name)
        include: t.Iterable[str] | str | None = None,
        query_params: dict[str, t.Any] | None = None,
    ) -> IterableGCSResponse:
        """``GET /collections``

        :param mapped_collection_id: only the guest collections of this mapped collection
        :param filter: ``mapped_collections``, ``guest_collections``, ``managed_by_me``,
            ``created_by_me``
        :param include: Names of additional documents to include in the response
        :param query_params: Additional passthrough query parameters
        """
        params = _params(
            query_params,
            mapped_collection_id=str(mapped_collection_id) if mapped_collection_id else None,
            filter=_joined(filter),
            include=_joined(include),
        )
        return IterableGCSResponse(self.get("collections", query_params=params))

    def get_collection(
        self, collection_id: UUIDLike, *, query_params: dict[str, t.Any] | None = None
    ) -> UnpackingGCSResponse:
        """``GET /collections/{collection_id}``"""
        return UnpackingGCSResponse(
            self.get(f"collections/{collection_id}", query_params=query_params), "collection"
        )

    def create_collection(
        self, collection_data: dict[str, t.Any] | CollectionDocument
    ) -> UnpackingGCSResponse:
        """``POST /collections``: a mapped collection (needs an endpoint owner or
        administrator role) or a guest one (needs an identity the storage gateway
        allows). The caller becomes the collection's administrator."""
        return UnpackingGCSResponse(self.post("collections", data=collection_data), "collection")

    def update_collection(
        self,
        collection_id: UUIDLike,
        collection_data: dict[str, t.Any] | CollectionDocument,
        *,
        query_params: dict[str, t.Any] | None = None,
    ) -> UnpackingGCSResponse:
        """``PATCH /collections/{collection_id}``"""
        return UnpackingGCSResponse(
            self.patch(
                f"collections/{collection_id}", data=collection_data, query_params=query_params
            ),
            "collection",
        )

    def delete_collection(
        self, collection_id: UUIDLike, *, query_params: dict[str, t.Any] | None = None
    ) -> response.GlobusHTTPResponse:
        """``DELETE /collections/{collection_id}``"""
        return self.delete(f"collections/{collection_id}", query_params=query_params)

    # -- storage gateways ----------------------------------------------------------------

    @paging.has_paginator(paging.MarkerPaginator, items_key="data")
    def get_storage_gateway_list(
        self,
        *,
        include: t.Iterable[str] | str | None = None,
        query_params: dict[str, t.Any] | None = None,
    ) -> IterableGCSResponse:
        """``GET /storage_gateways``"""
        params = _params(query_params, include=_joined(include))
        return IterableGCSResponse(self.get("storage_gateways", query_params=params))

    def create_storage_gateway(
        self, data: Payload, *, query_params: dict[str, t.Any] | None = None
    ) -> UnpackingGCSResponse:
        """``POST /storage_gateways``"""
        return UnpackingGCSResponse(
            self.post("storage_gateways", data=data, query_params=query_params), "storage_gateway"
        )

    def get_storage_gateway(
        self,
        storage_gateway_id: UUIDLike,
        *,
        include: t.Iterable[str] | str | None = None,
        query_params: dict[str, t.Any] | None = None,
    ) -> UnpackingGCSResponse:
        """``GET /storage_gateways/{storage_gateway_id}``"""
        params = _params(query_params, include=_joined(include))
        return UnpackingGCSResponse(
            self.get(f"storage_gateways/{storage_gateway_id}", query_params=params),
            "storage_gateway",
        )

    def update_storage_gateway(
        self,
        storage_gateway_id: UUIDLike,
        data: Payload,
        *,
        query_params: dict[str, t.Any] | None = None,
    ) -> response.GlobusHTTPResponse:
        """``PATCH /storage_gateways/{storage_gateway_id}``"""
        return self.patch(
            f"storage_gateways/{storage_gateway_id}", data=data, query_params=query_params
        )

    def delete_storage_gateway(
        self, storage_gateway_id: UUIDLike, *, query_params: dict[str, t.Any] | None = None
    ) -> response.GlobusHTTPResponse:
        """``DELETE /storage_gateways/{storage_gateway_id}``"""
        return self.delete(f"storage_gateways/{storage_gateway_id}", query_params=query_params)

    # -- roles ---------------------------------------------------------------------------

    @paging.has_paginator(paging.MarkerPaginator, items_key="data")
    def get_role_list(
        self,
        collection_id: UUIDLike | None = None,
        include: str | None = None,
        query_params: dict[str, t.Any] | None = None,
    ) -> IterableGCSResponse:
        """``GET /roles``: the endpoint's roles, or one collection's; ``include=all_roles``
        lists everyone's, not only the caller's."""
        params = _params(
            query_params,
            collection_id=str(collection_id) if collection_id else None,
            include=include,
        )
        return IterableGCSResponse(self.get("roles", query_params=params))

    def create_role(
        self, data: Payload, query_params: dict[str, t.Any] | None = None
    ) -> UnpackingGCSResponse:
        """``POST /roles``"""
        return UnpackingGCSResponse(
            self.post("roles", data=data, query_params=query_params), "role"
        )

    def get_role(
        self, role_id: UUIDLike, query_params: dict[str, t.Any] | None = None
    ) -> UnpackingGCSResponse:
        """``GET /roles/{role_id}``"""
        return UnpackingGCSResponse(self.get(f"roles/{role_id}", query_params=query_params), "role")

    def delete_role(
        self, role_id: UUIDLike, query_params: dict[str, t.Any] | None = None
    ) -> response.GlobusHTTPResponse:
        """``DELETE /roles/{role_id}``"""
        return self.delete(f"roles/{role_id}", query_params=query_params)

    # -- user credentials ----------------------------------------------------------------

    @paging.has_paginator(paging.MarkerPaginator, items_key="data")
    def get_user_credential_list(
        self,
        storage_gateway: UUIDLike | None = None,
        query_params: dict[str, t.Any] | None = None,
    ) -> IterableGCSResponse:
        """``GET /user_credentials``, optionally for one storage gateway."""
        params = _params(
            query_params, storage_gateway=str(storage_gateway) if storage_gateway else None
        )
        return IterableGCSResponse(self.get("user_credentials", query_params=params))

    def create_user_credential(self, data: Payload) -> UnpackingGCSResponse:
        """``POST /user_credentials``"""
        return UnpackingGCSResponse(self.post("user_credentials", data=data), "user_credential")

    def get_user_credential(
        self, user_credential_id: UUIDLike, query_params: dict[str, t.Any] | None = None
    ) -> UnpackingGCSResponse:
        """``GET /user_credentials/{user_credential_id}``"""
        return UnpackingGCSResponse(
            self.get(f"user_credentials/{user_credential_id}", query_params=query_params),
            "user_credential",
        )

    def update_user_credential(
        self,
        user_credential_id: UUIDLike,
        data: Payload,
        query_params: dict[str, t.Any] | None = None,
    ) -> UnpackingGCSResponse:
        """``PATCH /user_credentials/{user_credential_id}``"""
        return UnpackingGCSResponse(
            self.patch(
                f"user_credentials/{user_credential_id}", data=data, query_params=query_params
            ),
            "user_credential",
        )

    def delete_user_credential(
        self, user_credential_id: UUIDLike, query_params: dict[str, t.Any] | None = None
    ) -> response.GlobusHTTPResponse:
        """``DELETE /user_credentials/{user_credential_id}``"""
        return self.delete(f"user_credentials/{user_credential_id}", query_params=query_params)
