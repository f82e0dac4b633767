"""The transport layer: sending requests, encoding bodies, and retry logic."""

from globus_sdk.transport.encoders import FormRequestEncoder, JSONRequestEncoder, RequestEncoder
from globus_sdk.transport.requests import RequestsTransport
from globus_sdk.transport.retry import (
    RetryCheck,
    RetryCheckFlags,
    RetryCheckResult,
    RetryCheckRunner,
    RetryContext,
    set_retry_check_flags,
)

__all__ = [
    "RequestsTransport",
    "RetryCheck",
    "RetryCheckFlags",
    "RetryCheckResult",
    "RetryCheckRunner",
    "RetryContext",
    "set_retry_check_flags",
    "RequestEncoder",
    "JSONRequestEncoder",
    "FormRequestEncoder",
]
