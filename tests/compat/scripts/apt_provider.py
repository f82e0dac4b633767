"""An action provider built with the REAL ``globus-action-provider-tools`` (Flask), served
on a free port; it prints ``LISTENING <port>`` once it takes requests.

It reverses a string. An action stays ACTIVE for ``polls`` status requests, so a caller
must poll it to the end. It acts as its own confidential client (``CLIENT_ID``,
``CLIENT_SECRET``): the tools introspect each caller's token with it, and the provider
takes a dependent Groups token for the caller to count their groups, as a provider that
acts for its caller would. ``GLOBUS_SDK_SERVICE_URL_AUTH`` points the tools at the Auth
service. Actions are kept in memory, one per creator and ``request_id`` (a repeated
request answers the action already started).

Imports only the real tools and their SDK: it runs in a compat venv.
"""

from __future__ import annotations

import os
import sys
import threading
import typing as t
import uuid

from flask import Flask
from globus_action_provider_tools import (
    ActionProviderDescription,
    ActionRequest,
    ActionStatus,
    ActionStatusValue,
    AuthState,
)
from globus_action_provider_tools.flask import ActionProviderBlueprint
from globus_action_provider_tools.flask.exceptions import ActionConflict, ActionNotFound
from globus_action_provider_tools.flask.helpers import assign_json_provider
from werkzeug.serving import make_server

import globus_sdk

SCOPE = os.environ["PROVIDER_SCOPE"]
GROUPS_SCOPE = "urn:globus:auth:scope:groups.api.globus.org:view_my_groups_and_memberships"

description = ActionProviderDescription(
    globus_auth_scope=SCOPE,
    title="Reverser",
    admin_contact="reverser@example.org",
    synchronous=False,
    input_schema={
        "type": "object",
        "properties": {"text": {"type": "string"}, "polls": {"type": "integer", "minimum": 0}},
        "required": ["text"],
        "additionalProperties": False,
    },
    log_supported=False,
)
provider = ActionProviderBlueprint(
    name="reverser", import_name=__name__, url_prefix="/", provider_description=description
)

ACTIONS: dict[str, ActionStatus] = {}
POLLS_LEFT: dict[str, int] = {}
BY_REQUEST: dict[tuple[str, str], tuple[str, dict[str, t.Any]]] = {}
LOCK = threading.Lock()


def caller_groups(auth: AuthState) -> int | str:
    """How many groups the caller is in, read with a dependent token for Groups."""
    try:
        groups = globus_sdk.GroupsClient(authorizer=auth.get_authorizer_for_scope(GROUPS_SCOPE))
        return len(groups.get_my_groups().data)
    except (globus_sdk.GlobusError, ValueError) as exc:
        return f"no groups token: {exc}"


@provider.action_run
def run(request: ActionRequest, auth: AuthState) -> ActionStatus:
    key = (auth.effective_identity, request.request_id)
    with LOCK:
        if key in BY_REQUEST:
            action_id, body = BY_REQUEST[key]
            if body != request.body:
                raise ActionConflict(f"request_id {request.request_id} was used for another body")
            return ACTIONS[action_id]
        action_id = str(uuid.uuid4())
        BY_REQUEST[key] = (action_id, request.body)
    status = ActionStatus(
        action_id=action_id,
        status=ActionStatusValue.ACTIVE,
        creator_id=auth.effective_identity,
        label=request.label,
        monitor_by=request.monitor_by,
        manage_by=request.manage_by,
        release_after=request.release_after,
        display_status="reversing",
        details={
            "reversed": request.body["text"][::-1],
            "caller": auth.effective_identity,
            "groups": caller_groups(auth),
        },
    )
    with LOCK:
        ACTIONS[action_id] = status
        POLLS_LEFT[action_id] = int(request.body.get("polls", 0))
    return advance(status)


def advance(status: ActionStatus) -> ActionStatus:
    """One look at an action: ACTIVE until its polls are used up, then SUCCEEDED."""
    with LOCK:
        left = POLLS_LEFT.get(status.action_id, 0)
        if status.status == ActionStatusValue.ACTIVE:
            if left <= 0:
                status.status = ActionStatusValue.SUCCEEDED
                status.display_status = "done"
            POLLS_LEFT[status.action_id] = left - 1
    return status


def owned(action_id: str, auth: AuthState) -> ActionStatus:
    action = ACTIONS.get(action_id)
    if action is None or action.creator_id != auth.effective_identity:
        raise ActionNotFound(f"No action {action_id}")
    return action


@provider.action_status
def status(action_id: str, auth: AuthState) -> ActionStatus:
    return advance(owned(action_id, auth))


@provider.action_cancel
def cancel(action_id: str, auth: AuthState) -> ActionStatus:
    action = owned(action_id, auth)
    if action.status == ActionStatusValue.ACTIVE:
        action.status = ActionStatusValue.FAILED
        action.display_status = "canceled"
    return action


@provider.action_release
def release(action_id: str, auth: AuthState) -> ActionStatus:
    action = owned(action_id, auth)
    if action.status == ActionStatusValue.ACTIVE:
        raise ActionConflict("an active action cannot be released")
    with LOCK:
        ACTIONS.pop(action_id, None)
    return action


def main() -> None:
    app = Flask(__name__)
    assign_json_provider(app)  # jsonify of the tools' documents goes through the app's
    app.config.update(CLIENT_ID=os.environ["CLIENT_ID"], CLIENT_SECRET=os.environ["CLIENT_SECRET"])
    app.register_blueprint(provider)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(f"LISTENING {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
