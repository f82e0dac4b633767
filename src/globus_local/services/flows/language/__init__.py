"""The flow definition language: paths, expressions, templates, validation and the step function.

Pure code, no database, HTTP or web framework: the Flows engine and the expression action
provider build on it.
"""

from globus_local.services.flows.language.expressions import ExpressionError, evaluate
from globus_local.services.flows.language.paths import (
    PathError,
    PathNotFound,
    get_path,
    is_path,
    set_path,
)

__all__ = [
    "ExpressionError",
    "PathError",
    "PathNotFound",
    "evaluate",
    "get_path",
    "is_path",
    "set_path",
]
