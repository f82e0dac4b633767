"""Documents sent to the GCS Manager API: collections, storage gateways and their policies,
roles, user credentials and the endpoint.

Each is a payload dict holding only the keys given (a ``None`` argument is left out), with
a ``DATA_TYPE`` naming the oldest document version that has every key given, so that an
older GCS accepts what it can understand.
"""

from __future__ import annotations

import abc
import typing as t
import uuid

from globus_sdk import utils

UUIDLike = t.Union[uuid.UUID, str]

# For collection documents: the version a key first appeared in.
_COLLECTION_KEY_VERSIONS: dict[str, tuple[int, int, int]] = {
    "enable_https": (1, 1, 0),
    "user_message": (1, 1, 0),
    "user_message_link": (1, 1, 0),
    "sharing_users_allow": (1, 2, 0),
    "sharing_users_deny": (1, 2, 0),
    "force_verify": (1, 4, 0),
    "disable_anonymous_writes": (1, 5, 0),
    "guest_auth_policy_id": (1, 6, 0),
    "delete_protected": (1, 8, 0),
    "acl_expiration_mins": (1, 10, 0),
    "restrict_transfers_to_high_assurance": (1, 12, 0),
    "auto_delete_timeout": (1, 13, 0),
    "skip_auto_delete": (1, 13, 0),
    "activity_notification_policy": (1, 14, 0),
    "associated_flow_policy": (1, 15, 0),
}


def _version(numbers: tuple[int, int, int]) -> str:
    return ".".join(str(n) for n in numbers)


class _Document(utils.PayloadWrapper):
    """A payload that drops ``None`` values and stringifies ids and string sequences."""

    def _set(self, **values: t.Any) -> None:
        for key, value in values.items():
            if value is not None:
                self[key] = value

    def _set_ids(self, **values: UUIDLike | None) -> None:
        self._set(**{k: str(v) for k, v in values.items() if v is not None})

    def _set_lists(self, **values: t.Iterable[str] | None) -> None:
        self._set(
            **{k: list(utils.safe_strseq_iter(v)) for k, v in values.items() if v is not None}
        )


class CollectionDocument(_Document, abc.ABC):
    """This is the base class for :class:`MappedCollectionDocument` and
    :class:`GuestCollectionDocument`.

    Parameters common to both of those are defined and documented here.

    :param data_type: Explicitly set the ``DATA_TYPE`` value for this collection.
        Normally ``DATA_TYPE`` is deduced from the provided parameters and should not be
        set. To maximize compatibility with different versions of GCS, only set this
        value when necessary.
    :param collection_base_path: The location of the collection on its underlying
        storage: absolute on the storage gateway for a mapped collection, relative to the
        mapped collection's ``root_path`` for a guest collection. Required on creation.
    :param contact_email: Email address of the support contact for the collection
    :param contact_info: Other contact information for the collection
    :param default_directory: Default directory when using the collection
    :param department: The department which operates the collection
    :param description: A text description of the collection
    :param display_name: Friendly name for the collection
    :param identity_id: The Globus Auth identity which acts as the owner of the collection
    :param info_link: Link for more info about the collection
    :param organization: The organization which maintains the collection
    :param user_message: A message to display to users of this collection
    :param user_message_link: A link to additional messaging for users
    :param keywords: Keywords used to help searches for the collection
    :param disable_verify: Disable verification checksums on transfers
    :param enable_https: Enable or disable HTTPS support
    :param force_encryption: Always encrypt transfers to and from the collection
    :param force_verify: Force verification checksums on transfers
    :param public: If True, the collection will be visible to other Globus users
    :param additional_fields: Additional data for inclusion in the collection document
    """

    #: "mapped" or "guest", set by the subclass
    collection_type: t.ClassVar[str]

    def __init__(
        self,
        *,
        data_type: str | None = None,
        collection_base_path: str | None = None,
        contact_email: str | None = None,
        contact_info: str | None = None,
        default_directory: str | None = None,
        department: str | None = None,
        description: str | None = None,
        display_name: str | None = None,
        identity_id: UUIDLike | None = None,
        info_link: str | None = None,
        organization: str | None = None,
        user_message: str | None = None,
        user_message_link: str | None = None,
        keywords: t.Iterable[str] | None = None,
        disable_verify: bool | None = None,
        enable_https: bool | None = None,
        force_encryption: bool | None = None,
        force_verify: bool | None = None,
        public: bool | None = None,
        additional_fields: dict[str, t.Any] | None = None,
    ) -> None:
        super().__init__()
        self["collection_type"] = self.collection_type
        self._set(
            collection_base_path=collection_base_path,
            contact_email=contact_email,
            contact_info=contact_info,
            default_directory=default_directory,
            department=department,
            description=description,
            display_name=display_name,
            info_link=info_link,
            organization=organization,
            user_message=user_message,
            user_message_link=user_message_link,
            disable_verify=disable_verify,
            enable_https=enable_https,
            force_encryption=force_encryption,
            force_verify=force_verify,
            public=public,
        )
        self._set_ids(identity_id=identity_id)
        self._set_lists(keywords=keywords)
        self._explicit_data_type = data_type

    def _finish(self, additional_fields: dict[str, t.Any] | None) -> None:
        """Add the extra fields, then name the version (subclasses call this last)."""
        self.update(additional_fields or {})
        self["DATA_TYPE"] = self._explicit_data_type or self._deduce_data_type()

    def _deduce_data_type(self) -> str:
        needed = max([(1, 0, 0), *(v for k, v in _COLLECTION_KEY_VERSIONS.items() if k in self)])
        return f"collection#{_version(needed)}"


class MappedCollectionDocument(CollectionDocument):
    """A Mapped Collection for creation or update. GCS requires ``storage_gateway_id``
    and ``collection_base_path`` to create one.

    :param storage_gateway_id: The storage gateway which hosts this mapped collection
    :param domain_name: DNS name of the virtual host serving this collection
    :param sharing_users_allow: Connector-specific usernames allowed to create guest
        collections
    :param sharing_users_deny: Connector-specific usernames forbidden from creating guest
        collections
    :param sharing_restrict_paths: A PathRestrictions document
    :param allow_guest_collections: Enable or disable Guest Collections on this collection
    :param disable_anonymous_writes: Refuse anonymous write ACLs on its guest collections
    :param policies: Connector-specific collection policies
    """

    collection_type = "mapped"

    def __init__(
        self,
        *,
        data_type: str | None = None,
        collection_base_path: str | None = None,
        contact_email: str | None = None,
        contact_info: str | None = None,
        default_directory: str | None = None,
        department: str | None = None,
        description: str | None = None,
        display_name: str | None = None,
        identity_id: UUIDLike | None = None,
        info_link: str | None = None,
        organization: str | None = None,
        user_message: str | None = None,
        user_message_link: str | None = None,
        keywords: t.Iterable[str] | None = None,
        disable_verify: bool | None = None,
        enable_https: bool | None = None,
        force_encryption: bool | None = None,
        force_verify: bool | None = None,
        public: bool | None = None,
        storage_gateway_id: UUIDLike | None = None,
        domain_name: str | None = None,
        sharing_users_allow: t.Iterable[str] | None = None,
        sharing_users_deny: t.Iterable[str] | None = None,
        sharing_restrict_paths: dict[str, t.Any] | None = None,
        allow_guest_collections: bool | None = None,
        disable_anonymous_writes: bool | None = None,
        policies: dict[str, t.Any] | None = None,
        additional_fields: dict[str, t.Any] | None = None,
    ) -> None:
        super().__init__(
            data_type=data_type,
            collection_base_path=collection_base_path,
            contact_email=contact_email,
            contact_info=contact_info,
            default_directory=default_directory,
            department=department,
            description=description,
            display_name=display_name,
            identity_id=identity_id,
            info_link=info_link,
            organization=organization,
            user_message=user_message,
            user_message_link=user_message_link,
            keywords=keywords,
            disable_verify=disable_verify,
            enable_https=enable_https,
            force_encryption=force_encryption,
            force_verify=force_verify,
            public=public,
        )
        self._set_ids(storage_gateway_id=storage_gateway_id)
        self._set(
            domain_name=domain_name,
            sharing_restrict_paths=_plain(sharing_restrict_paths),
            allow_guest_collections=allow_guest_collections,
            disable_anonymous_writes=disable_anonymous_writes,
            policies=_plain(policies),
        )
        self._set_lists(
            sharing_users_allow=sharing_users_allow, sharing_users_deny=sharing_users_deny
        )
        self._finish(additional_fields)


class GuestCollectionDocument(CollectionDocument):
    """A Guest Collection for creation or update. GCS requires ``mapped_collection_id``,
    ``user_credential_id`` and ``collection_base_path`` to create one.

    :param mapped_collection_id: The mapped collection which hosts this guest collection
    :param user_credential_id: The User Credential used to access data on this
        collection; it must be owned by the collection's ``identity_id``
    """

    collection_type = "guest"

    def __init__(
        self,
        *,
        data_type: str | None = None,
        collection_base_path: str | None = None,
        contact_email: str | None = None,
        contact_info: str | None = None,
        default_directory: str | None = None,
        department: str | None = None,
        description: str | None = None,
        display_name: str | None = None,
        identity_id: UUIDLike | None = None,
        info_link: str | None = None,
        organization: str | None = None,
        user_message: str | None = None,
        user_message_link: str | None = None,
        keywords: t.Iterable[str] | None = None,
        disable_verify: bool | None = None,
        enable_https: bool | None = None,
        force_encryption: bool | None = None,
        force_verify: bool | None = None,
        public: bool | None = None,
        mapped_collection_id: UUIDLike | None = None,
        user_credential_id: UUIDLike | None = None,
        additional_fields: dict[str, t.Any] | None = None,
    ) -> None:
        super().__init__(
            data_type=data_type,
            collection_base_path=collection_base_path,
            contact_email=contact_email,
            contact_info=contact_info,
            default_directory=default_directory,
            department=department,
            description=description,
            display_name=display_name,
            identity_id=identity_id,
            info_link=info_link,
            organization=organization,
            user_message=user_message,
            user_message_link=user_message_link,
            keywords=keywords,
            disable_verify=disable_verify,
            enable_https=enable_https,
            force_encryption=force_encryption,
            force_verify=force_verify,
            public=public,
        )
        self._set_ids(
            mapped_collection_id=mapped_collection_id, user_credential_id=user_credential_id
        )
        self._finish(additional_fields)


def _plain(value: t.Any) -> t.Any:
    """A nested payload helper is sent as the dict it wraps."""
    return value.data if isinstance(value, utils.PayloadWrapper) else value


class POSIXStoragePolicies(_Document):
    """The connector policies of a POSIX storage gateway.

    :param groups_allow: local groups whose members may use the gateway
    :param groups_deny: local groups whose members may not
    """

    def __init__(
        self,
        *,
        data_type: str = "posix_storage_policies#1.0.0",
        groups_allow: t.Iterable[str] | None = None,
        groups_deny: t.Iterable[str] | None = None,
        additional_fields: dict[str, t.Any] | None = None,
    ) -> None:
        super().__init__()
        self["DATA_TYPE"] = data_type
        self._set_lists(groups_allow=groups_allow, groups_deny=groups_deny)
        self.update(additional_fields or {})


class S3StoragePolicies(_Document):
    """The connector policies of an S3 storage gateway.

    :param s3_endpoint: the S3 service URL (``https://s3.amazonaws.com`` or a compatible one)
    :param s3_buckets: the buckets the gateway exposes (all when empty)
    :param s3_user_credential_required: whether each user must register S3 keys
    """

    def __init__(
        self,
        *,
        data_type: str = "s3_storage_policies#1.0.0",
        s3_endpoint: str | None = None,
        s3_buckets: t.Iterable[str] | None = None,
        s3_user_credential_required: bool | None = None,
        additional_fields: dict[str, t.Any] | None = None,
    ) -> None:
        super().__init__()
        self["DATA_TYPE"] = data_type
        self._set(s3_endpoint=s3_endpoint, s3_user_credential_required=s3_user_credential_required)
        self._set_lists(s3_buckets=s3_buckets)
        self.update(additional_fields or {})


class POSIXCollectionPolicies(_Document):
    """The connector policies of a mapped collection on a POSIX gateway.

    :param sharing_groups_allow: local groups whose members may create guest collections
    :param sharing_groups_deny: local groups whose members may not
    """

    def __init__(
        self,
        *,
        data_type: str = "posix_collection_policies#1.0.0",
        sharing_groups_allow: t.Iterable[str] | None = None,
        sharing_groups_deny: t.Iterable[str] | None = None,
        additional_fields: dict[str, t.Any] | None = None,
    ) -> None:
        super().__init__()
        self["DATA_TYPE"] = data_type
        self._set_lists(
            sharing_groups_allow=sharing_groups_allow, sharing_groups_deny=sharing_groups_deny
        )
        self.update(additional_fields or {})


class StorageGatewayDocument(_Document):
    """A storage gateway for creation or update. ``DATA_TYPE`` is
    ``storage_gateway#1.0.0``, or ``1.1.0`` when ``require_mfa`` is given.

    :param display_name: name of the gateway
    :param connector_id: the connector (POSIX, S3 ...) the gateway uses
    :param root: the root of the gateway's view of its storage
    :param identity_mappings: how Globus identities map to storage usernames
    :param policies: the connector's storage policies
    :param allowed_domains: identity domains whose users may use the gateway
    :param restrict_paths: a PathRestrictions document applying to every collection
    :param high_assurance: whether the gateway's data is high assurance
    :param authentication_timeout_mins: how recently a user must have authenticated
    :param users_allow: storage usernames allowed to use the gateway
    :param users_deny: storage usernames refused
    :param process_user: the local user the gateway's processes run as
    :param load_dsi_module: a DSI module to load
    :param require_mfa: whether users must log in with multi-factor authentication
    """

    def __init__(
        self,
        *,
        data_type: str | None = None,
        display_name: str | None = None,
        connector_id: UUIDLike | None = None,
        root: str | None = None,
        identity_mappings: t.Iterable[dict[str, t.Any]] | None = None,
        policies: dict[str, t.Any] | None = None,
        allowed_domains: t.Iterable[str] | None = None,
        high_assurance: bool | None = None,
        require_high_assurance: bool | None = None,
        authentication_assurance_timeout: int | None = None,
        authentication_timeout_mins: int | None = None,
        users_allow: t.Iterable[str] | None = None,
        users_deny: t.Iterable[str] | None = None,
        process_user: str | None = None,
        load_dsi_module: str | None = None,
        restrict_paths: dict[str, t.Any] | None = None,
        require_mfa: bool | None = None,
        additional_fields: dict[str, t.Any] | None = None,
    ) -> None:
        super().__init__()
        self._set_ids(connector_id=connector_id)
        self._set(
            display_name=display_name,
            root=root,
            policies=_plain(policies),
            high_assurance=high_assurance,
            require_high_assurance=require_high_assurance,
            authentication_assurance_timeout=authentication_assurance_timeout,
            authentication_timeout_mins=authentication_timeout_mins,
            process_user=process_user,
            load_dsi_module=load_dsi_module,
            restrict_paths=_plain(restrict_paths),
            require_mfa=require_mfa,
        )
        if identity_mappings is not None:
            self["identity_mappings"] = [_plain(m) for m in identity_mappings]
        self._set_lists(
            allowed_domains=allowed_domains, users_allow=users_allow, users_deny=users_deny
        )
        self.update(additional_fields or {})
        self["DATA_TYPE"] = data_type or (
            "storage_gateway#1.1.0" if "require_mfa" in self else "storage_gateway#1.0.0"
        )


class GCSRoleDocument(_Document):
    """A role on the endpoint (no ``collection``) or on one collection.

    :param collection: the collection the role is on, or None for the endpoint
    :param principal: ``urn:globus:auth:identity:<id>`` or ``urn:globus:groups:id:<id>``
    :param role: ``owner``, ``administrator``, ``access_manager``, ``activity_manager`` or
        ``activity_monitor``
    """

    def __init__(
        self,
        *,
        data_type: str = "role#1.0.0",
        collection: UUIDLike | None = None,
        principal: str | None = None,
        role: str | None = None,
        additional_fields: dict[str, t.Any] | None = None,
    ) -> None:
        super().__init__()
        self["DATA_TYPE"] = data_type
        self._set_ids(collection=collection)
        self._set(principal=principal, role=role)
        self.update(additional_fields or {})


class UserCredentialDocument(_Document):
    """A user credential: how one identity reaches a storage gateway's storage.

    :param identity_id: the identity the credential belongs to
    :param connector_id: the gateway's connector
    :param username: the storage username the identity maps to
    :param display_name: a name for the credential
    :param storage_gateway_id: the gateway
    :param policies: connector-specific data (S3 keys ...)
    """

    def __init__(
        self,
        *,
        data_type: str = "user_credential#1.0.0",
        identity_id: UUIDLike | None = None,
        connector_id: UUIDLike | None = None,
        username: str | None = None,
        display_name: str | None = None,
        storage_gateway_id: UUIDLike | None = None,
        policies: dict[str, t.Any] | None = None,
        additional_fields: dict[str, t.Any] | None = None,
    ) -> None:
        super().__init__()
        self["DATA_TYPE"] = data_type
        self._set_ids(
            identity_id=identity_id,
            connector_id=connector_id,
            storage_gateway_id=storage_gateway_id,
        )
        self._set(username=username, display_name=display_name, policies=_plain(policies))
        self.update(additional_fields or {})


class EndpointDocument(_Document):
    """A partial endpoint document for ``update_endpoint``. ``DATA_TYPE`` is
    ``endpoint#1.0.0``, or ``1.1.0`` when ``gridftp_control_channel_port`` is given."""

    def __init__(
        self,
        *,
        data_type: str | None = None,
        contact_email: str | None = None,
        contact_info: str | None = None,
        department: str | None = None,
        description: str | None = None,
        display_name: str | None = None,
        info_link: str | None = None,
        network_use: str | None = None,
        organization: str | None = None,
        subscription_id: UUIDLike | None = None,
        keywords: t.Iterable[str] | None = None,
        allow_udt: bool | None = None,
        public: bool | None = None,
        max_concurrency: int | None = None,
        max_parallelism: int | None = None,
        preferred_concurrency: int | None = None,
        preferred_parallelism: int | None = None,
        gridftp_control_channel_port: int | None = None,
        additional_fields: dict[str, t.Any] | None = None,
    ) -> None:
        super().__init__()
        self._set(
            contact_email=contact_email,
            contact_info=contact_info,
            department=department,
            description=description,
            display_name=display_name,
            info_link=info_link,
            network_use=network_use,
            organization=organization,
            allow_udt=allow_udt,
            public=public,
            max_concurrency=max_concurrency,
            max_parallelism=max_parallelism,
            preferred_concurrency=preferred_concurrency,
            preferred_parallelism=preferred_parallelism,
            gridftp_control_channel_port=gridftp_control_channel_port,
        )
        self._set_ids(subscription_id=subscription_id)
        self._set_lists(keywords=keywords)
        self.update(additional_fields or {})
        self["DATA_TYPE"] = data_type or (
            "endpoint#1.1.0" if "gridftp_control_channel_port" in self else "endpoint#1.0.0"
        )
