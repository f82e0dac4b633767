"""The flow definition language: paths, expressions, templates, validation and the step function.

Pure code, no database, HTTP or web framework: the Flows engine and the expression action
provider build on it.
"""

from globus_local.flow_language.errors import DefinitionError
from globus_local.flow_language.expressions import ExpressionError, evaluate
from globus_local.flow_language.interpreter import after_action, after_error, start, step
from globus_local.flow_language.outcomes import (
    CallAction,
    Fail,
    Goto,
    Outcome,
    Succeed,
    Transition,
    WaitUntil,
)
from globus_local.flow_language.paths import (
    PathError,
    PathNotFound,
    get_path,
    is_path,
    set_path,
)
from globus_local.flow_language.templating import (
    TemplateError,
    hide_private,
    private_names,
    render,
    strip_private,
)
from globus_local.flow_language.validation import (
    ActionState,
    action_states,
    check_definition,
    check_input_schema,
    validate_input,
)

__all__ = [
    "ActionState",
    "CallAction",
    "DefinitionError",
    "ExpressionError",
    "Fail",
    "Goto",
    "Outcome",
    "PathError",
    "PathNotFound",
    "Succeed",
    "TemplateError",
    "Transition",
    "WaitUntil",
    "action_states",
    "after_action",
    "after_error",
    "check_definition",
    "check_input_schema",
    "evaluate",
    "get_path",
    "hide_private",
    "is_path",
    "private_names",
    "render",
    "set_path",
    "start",
    "step",
    "strip_private",
    "validate_input",
]
