"""The Globus Automate client: ActionClient (one Action Provider) and FlowsClient (the
Flows service), the ``create_*_client`` helpers that share the command line's token
cache, and the ``globus-automate`` command (``globus_automate_client.cli``)."""

from globus_automate_client.action_client import ActionClient
from globus_automate_client.client_helpers import create_action_client, create_flows_client
from globus_automate_client.errors import AutomateAPIError, FlowValidationError
from globus_automate_client.flows_client import FlowsClient
from globus_automate_client.validation import validate_flow_definition, validate_input_schema

__version__ = "0.16.1"

__all__ = [
    "ActionClient",
    "AutomateAPIError",
    "FlowValidationError",
    "FlowsClient",
    "__version__",
    "create_action_client",
    "create_flows_client",
    "validate_flow_definition",
    "validate_input_schema",
]
