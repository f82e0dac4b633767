"""SDK configuration: environments and their service URLs, HTTP timeout and TLS verification."""

from globus_sdk.config.env_vars import get_environment_name, get_http_timeout, get_ssl_verify
from globus_sdk.config.environments import (
    EnvConfig,
    get_local_root,
    get_service_url,
    get_webapp_url,
)

__all__ = [
    "EnvConfig",
    "get_environment_name",
    "get_http_timeout",
    "get_local_root",
    "get_service_url",
    "get_ssl_verify",
    "get_webapp_url",
]
