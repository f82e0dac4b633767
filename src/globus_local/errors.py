"""Moved to :mod:`globus_local.kit.errors`; importable here until every caller moves."""

from globus_local.kit.errors import *  # noqa: F403
from globus_local.kit.errors import ServiceError, default_error_document  # noqa: F401
