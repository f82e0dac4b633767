"""The package itself: what ``import globus_sdk`` and ``from globus_sdk import *`` give.

Each check runs in a fresh interpreter, since this test session has long since imported
most of the package and would hide a submodule that is reachable only by accident.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import subprocess
import sys
import textwrap
import types

import pytest

import globus_sdk

DOCUMENTED_SUBMODULES = (
    "authorizers",
    "client",
    "config",
    "exc",
    "local_endpoint",
    "paging",
    "response",
    "scopes",
    "services",
    "tokenstorage",
    "transport",
    "utils",
    "version",
)

# 3.2's ``__all__``, in its order
SDK_32_ALL = (
    "__version__",
    "BaseClient",
    "GlobusHTTPResponse",
    "GlobusError",
    "GlobusSDKUsageError",
    "GlobusAPIError",
    "AuthAPIError",
    "TransferAPIError",
    "SearchAPIError",
    "GroupsAPIError",
    "NetworkError",
    "GlobusConnectionError",
    "GlobusTimeoutError",
    "GlobusConnectionTimeoutError",
    "NullAuthorizer",
    "BasicAuthorizer",
    "AccessTokenAuthorizer",
    "RefreshTokenAuthorizer",
    "ClientCredentialsAuthorizer",
    "AuthClient",
    "NativeAppAuthClient",
    "ConfidentialAppAuthClient",
    "OAuthDependentTokenResponse",
    "OAuthTokenResponse",
    "IdentityMap",
    "TransferClient",
    "TransferData",
    "DeleteData",
    "SearchClient",
    "SearchQuery",
    "GroupsClient",
    "BatchMembershipActions",
    "GroupPolicies",
    "GroupMemberVisibility",
    "GroupRequiredSignupFields",
    "GroupRole",
    "GroupVisibility",
    "GroupsManager",
    "GCSClient",
    "CollectionDocument",
    "GuestCollectionDocument",
    "MappedCollectionDocument",
    "GCSAPIError",
    "GlobusConnectPersonalOwnerInfo",
    "LocalGlobusConnectPersonal",
)
GCS_NAMES = {
    "GCSClient",
    "CollectionDocument",
    "GuestCollectionDocument",
    "MappedCollectionDocument",
    "GCSAPIError",
}
HAS_GCS = importlib.util.find_spec("globus_sdk.services.gcs") is not None


def _fresh(code: str) -> dict:
    """Run ``code`` in a new interpreter; it prints one JSON document as its last line."""
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_import_alone_reaches_the_documented_submodules() -> None:
    out = _fresh(
        f"""
        import json, sys, types
        import globus_sdk
        names = {list(DOCUMENTED_SUBMODULES)!r}
        found = {{
            n: isinstance(getattr(globus_sdk, n, None), types.ModuleType)
            and getattr(globus_sdk, n) is sys.modules["globus_sdk." + n]
            for n in names
        }}
        services = {{
            n: getattr(globus_sdk.services, n).__name__
            for n in ("auth", "transfer", "groups", "search")
        }}
        print(json.dumps({{"found": found, "services": services, "dir": dir(globus_sdk)}}))
        """
    )
    assert out["found"] == {name: True for name in DOCUMENTED_SUBMODULES}
    assert out["services"] == {
        n: f"globus_sdk.services.{n}" for n in ("auth", "transfer", "groups", "search")
    }
    assert set(DOCUMENTED_SUBMODULES) <= set(out["dir"])


def test_submodule_attributes_in_this_session() -> None:
    for name in DOCUMENTED_SUBMODULES:
        module = getattr(globus_sdk, name)
        assert isinstance(module, types.ModuleType)
        assert module.__name__ == f"globus_sdk.{name}"
    assert globus_sdk.scopes.TransferScopes.resource_server == "transfer.api.globus.org"
    assert globus_sdk.services.transfer.TransferClient is globus_sdk.TransferClient
    with pytest.raises(AttributeError):
        globus_sdk.no_such_module  # noqa: B018
    with pytest.raises(AttributeError):
        globus_sdk.services.no_such_service  # noqa: B018


def test_star_import() -> None:
    out = _fresh(
        """
        import json
        namespace = {}
        exec("from globus_sdk import *", namespace)
        import globus_sdk
        names = sorted(n for n in namespace if n != "__builtins__")
        same = all(namespace[n] is getattr(globus_sdk, n) for n in names)
        print(json.dumps({"names": names, "same": same, "all": list(globus_sdk.__all__)}))
        """
    )
    expected = [n for n in SDK_32_ALL if HAS_GCS or n not in GCS_NAMES]
    assert out["all"] == expected
    assert out["names"] == sorted(expected)
    assert out["same"] is True


def test_all_is_a_tuple_of_resolvable_names() -> None:
    assert isinstance(globus_sdk.__all__, tuple)
    for name in globus_sdk.__all__:
        assert getattr(globus_sdk, name) is not None
    assert globus_sdk.TransferClient is globus_sdk.services.transfer.TransferClient


def test_library_logger_has_a_null_handler() -> None:
    handlers = logging.getLogger("globus_sdk").handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers)


def test_import_stays_light() -> None:
    # the names and submodules load on first use: importing the package pulls in no
    # service, no HTTP library
    out = _fresh(
        """
        import json, sys
        import globus_sdk
        print(json.dumps(sorted(m for m in sys.modules if m.startswith(("globus_sdk", "requests")))))
        """
    )
    assert "requests" not in out
    assert not any(m.startswith("globus_sdk.services.") for m in out)
