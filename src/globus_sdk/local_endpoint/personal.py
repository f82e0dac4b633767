"""Inspection of the local Globus Connect Personal installation (its config files)."""

from __future__ import annotations

import os
import platform
import typing as t
import uuid

from globus_sdk.exc import GlobusSDKUsageError

if t.TYPE_CHECKING:
    from globus_sdk.services.auth import AuthClient

#: Usernames in old GCP gridmaps are Globus ID usernames without their domain.
_DEFAULT_USERNAME_DOMAIN = "globusid.org"


def _on_windows() -> bool:
    return platform.system() == "Windows"


class GlobusConnectPersonalOwnerInfo:
    """Information about the owner of the local Globus Connect Personal endpoint.

    Parsed from the certificate subject (DN) in GCP's configuration: its final
    ``CN=`` component is either a Globus Auth identity ID or a username. Exactly one of
    ``id`` and ``username`` is set.

    :param config_dn: a DN value from GCP configuration
    :raises ValueError: if the DN has no usable ``CN=`` component
    """

    def __init__(self, *, config_dn: str) -> None:
        self.id: str | None = None
        self.username: str | None = None
        cn = self._common_name(config_dn)
        try:
            self.id = str(uuid.UUID(cn))
        except ValueError:
            self.username = cn if "@" in cn else f"{cn}@{_DEFAULT_USERNAME_DOMAIN}"

    @staticmethod
    def _common_name(config_dn: str) -> str:
        dn = config_dn.strip().strip('"')
        common_names = [
            part[3:] for part in dn.split("/") if part[:3].upper() == "CN=" and part[3:].strip()
        ]
        if not common_names:
            raise ValueError(f"no CN component in GCP owner DN {config_dn!r}")
        return common_names[-1].strip()

    def __str__(self) -> str:
        if self.id is not None:
            return f"GlobusConnectPersonalOwnerInfo(id={self.id!r})"
        return f"GlobusConnectPersonalOwnerInfo(username={self.username!r})"

    __repr__ = __str__


class LocalGlobusConnectPersonal:
    """The SDK's view of the current user's Globus Connect Personal installation.

    Not a service client: data comes from GCP's local files, unauthenticated and
    unverified.

    :param config_dir: non-default GCP configuration directory (on Linux, the value of
        GCP's ``-dir`` flag; default ``~/.globusonline``)
    """

    def __init__(self, *, config_dir: str | None = None) -> None:
        self._config_dir = config_dir
        self._endpoint_id: str | None = None

    @staticmethod
    def _detect_config_dir() -> str:
        if _on_windows():
            appdata = os.getenv("LOCALAPPDATA")
            if not appdata:
                raise GlobusSDKUsageError(
                    "LOCALAPPDATA is not set in this Windows environment; set it or pass "
                    "config_dir to LocalGlobusConnectPersonal"
                )
            return os.path.join(appdata, "Globus Connect")
        return os.path.expanduser("~/.globusonline")

    @property
    def config_dir(self) -> str:
        """The config dir of this endpoint (computed for this platform if not given)."""
        if not self._config_dir:
            self._config_dir = self._detect_config_dir()
        return self._config_dir

    def _data_dir(self) -> str:
        # Windows GCP keeps its files directly in the config dir, others under lta/
        return self.config_dir if _on_windows() else os.path.join(self.config_dir, "lta")

    def _read_data_file(self, name: str) -> str | None:
        try:
            with open(os.path.join(self._data_dir(), name), encoding="utf-8") as f:
                return f.read()
        except FileNotFoundError:
            return None

    @property
    def endpoint_id(self) -> str | None:
        """The endpoint ID of the local GCP installation (None if not found).

        Loaded on first access and cached; ``del obj.endpoint_id`` forces a reload.
        """
        if self._endpoint_id is None:
            content = self._read_data_file("client-id.txt")
            if content is not None and content.strip():
                self._endpoint_id = content.strip()
        return self._endpoint_id

    @endpoint_id.deleter
    def endpoint_id(self) -> None:
        self._endpoint_id = None

    def _parse_gridmap_owner(self) -> GlobusConnectPersonalOwnerInfo | None:
        content = self._read_data_file("gridmap")
        if content is None:
            return None
        for line in content.splitlines():
            # a gridmap line is: "<quoted DN>" <local user>
            parts = line.strip().split('"')
            if len(parts) < 3:
                continue
            try:
                return GlobusConnectPersonalOwnerInfo(config_dn=parts[1])
            except ValueError:
                continue
        return None

    @t.overload
    def get_owner_info(self) -> GlobusConnectPersonalOwnerInfo | None: ...

    @t.overload
    def get_owner_info(self, auth_client: None) -> GlobusConnectPersonalOwnerInfo | None: ...

    @t.overload
    def get_owner_info(self, auth_client: AuthClient) -> dict[str, t.Any] | None: ...

    def get_owner_info(
        self, auth_client: AuthClient | None = None
    ) -> GlobusConnectPersonalOwnerInfo | dict[str, t.Any] | None:
        """Look up the owner of the local GCP endpoint from its gridmap.

        Without ``auth_client`` returns a GlobusConnectPersonalOwnerInfo; with one, the
        owner's identity record from the Get Identities API (which may fail on network
        errors). None if the data is missing, unparseable or the identity is unknown.
        """
        info = self._parse_gridmap_owner()
        if info is None or auth_client is None:
            return info
        if info.id is not None:
            res = auth_client.get_identities(ids=info.id)
        else:
            res = auth_client.get_identities(usernames=info.username)
        try:
            identity: dict[str, t.Any] = res["identities"][0]
        except (LookupError, TypeError):
            return None
        return identity
