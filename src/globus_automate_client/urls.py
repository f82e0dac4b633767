"""Where the automate clients send their requests in each SDK environment.

In the ``local`` environment the Globus-hosted URLs a user already knows (action
providers under ``actions.globus.org``, the Flows service) are served by the local
platform, so the same URL in code or on the command line reaches it there: an action
provider ``https://<host>/<path>`` becomes ``<local root>actions/<host>/<path>`` (the
platform's own rule for its hosted providers) and the Flows service becomes the local
``flows`` service URL.
"""

from __future__ import annotations

import os
import urllib.parse

from globus_sdk import config

PROD_FLOWS_BASE_URL = "https://flows.globus.org"

#: the Flows service of each hosted environment, as the automate client has always named it
ENVIRONMENT_FLOWS_BASE_URLS: dict[str, str] = {
    "production": PROD_FLOWS_BASE_URL,
    "prod": PROD_FLOWS_BASE_URL,
    "default": PROD_FLOWS_BASE_URL,
    "sandbox": "https://sandbox.flows.automate.globus.org",
    "integration": "https://integration.flows.automate.globus.org",
    "test": "https://test.flows.automate.globus.org",
    "preview": "https://preview.flows.automate.globus.org",
    "staging": "https://staging.flows.automate.globus.org",
}

#: hostnames of the Globus-hosted action providers (and their subdomains)
HOSTED_ACTIONS_DOMAIN = "actions.globus.org"
#: hostnames the hosted Flows service answers on
HOSTED_FLOWS_HOSTS = frozenset({"flows.globus.org", "flows.automate.globus.org"})

LOCAL_ENVIRONMENT = "local"
FLOWS_URL_VAR = "GLOBUS_SDK_SERVICE_URL_FLOWS"


def is_local(environment: str | None = None) -> bool:
    """Whether the SDK environment (argument, else ``GLOBUS_SDK_ENVIRONMENT``) is ``local``."""
    return config.get_environment_name(environment) == LOCAL_ENVIRONMENT


def _is_hosted_action_host(host: str) -> bool:
    return host == HOSTED_ACTIONS_DOMAIN or host.endswith("." + HOSTED_ACTIONS_DOMAIN)


def local_actions_url(action_url: str) -> str:
    """The local platform's URL for a Globus-hosted action provider URL; any other URL as is."""
    parts = urllib.parse.urlsplit(action_url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not _is_hosted_action_host(host):
        return action_url
    return f"{config.get_local_root()}actions/{host}/{parts.path.lstrip('/')}"


def flows_service_url(environment: str | None = None) -> str:
    """The Flows service base URL for the environment, without a trailing slash.

    ``GLOBUS_SDK_SERVICE_URL_FLOWS`` and the ``local`` environment go through the SDK's
    service configuration; the hosted environments keep the automate client's names.
    """
    env = config.get_environment_name(environment)
    if env == LOCAL_ENVIRONMENT or os.environ.get(FLOWS_URL_VAR, "").strip():
        return config.get_service_url(service="flows", environment=env).rstrip("/")
    try:
        return ENVIRONMENT_FLOWS_BASE_URLS[env]
    except KeyError:
        raise ValueError(f"Unknown value for GLOBUS_SDK_ENVIRONMENT: {env}") from None


def resolve_url(url: str, environment: str | None = None) -> str:
    """``url`` as this environment reaches it: hosted action providers and the hosted
    Flows service go to the local platform in the ``local`` environment."""
    if not is_local(environment):
        return url
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and host in HOSTED_FLOWS_HOSTS:
        base = flows_service_url(environment)
        return f"{base}/{parts.path.lstrip('/')}" if parts.path.strip("/") else base
    return local_actions_url(url)
