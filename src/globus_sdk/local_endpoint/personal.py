"""Inspection of the local Globus Connect Personal installation (its config files).

A missing file means "no such data" (None); any other failure to read one, such as a
PermissionError, is raised, since it says something is wrong with the installation.
"""

from __future__ import annotations

import os
import typing as t

from globus_sdk.exc import GlobusSDKUsageError
from globus_sdk.local_endpoint.owner_info import (
    GlobusConnectPersonalOwnerInfo,
    read_gridmap_owner,
)

if t.TYPE_CHECKING:
    from globus_sdk.services.auth import AuthClient


def _on_windows() -> bool:
    return os.name == "nt"


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
            if appdata is None:
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

    def _data_path(self, name: str) -> str:
        # Windows GCP keeps its files directly in the config dir, others under lta/
        data_dir = self.config_dir if _on_windows() else os.path.join(self.config_dir, "lta")
        return os.path.join(data_dir, name)

    @property
    def endpoint_id(self) -> str | None:
        """The endpoint ID of the local GCP installation (None if it has none).

        Loaded on first access and cached; ``del obj.endpoint_id`` forces a reload.

        :raises OSError: if ``client-id.txt`` exists but cannot be read
        """
        if self._endpoint_id is None:
            try:
                with open(self._data_path("client-id.txt"), encoding="utf-8") as f:
                    self._endpoint_id = f.read().strip()
            except FileNotFoundError:
                pass
        return self._endpoint_id

    @endpoint_id.deleter
    def endpoint_id(self) -> None:
        self._endpoint_id = None

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
        errors). None if the gridmap is missing, names no owner, or the identity is unknown.

        :raises OSError: if the gridmap exists but cannot be read (e.g. PermissionError)
        """
        try:
            info = read_gridmap_owner(self._data_path("gridmap"))
        except (FileNotFoundError, ValueError):
            return None
        if auth_client is None:
            return info
        if info.id is not None:
            res = auth_client.get_identities(ids=info.id)
        else:
            res = auth_client.get_identities(usernames=info.username)
        try:
            identity: dict[str, t.Any] = res["identities"][0]
        except LookupError:  # the identity may not be visible to this client
            return None
        return identity
