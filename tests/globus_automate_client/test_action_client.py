"""ActionClient against the platform's Hello World provider, by its hosted URL."""

from __future__ import annotations

import uuid

import pytest

from globus_automate_client import ActionClient, AutomateAPIError
from globus_sdk.exc import GlobusAPIError
from tests.globus_automate_client.support import (
    HELLO_WORLD_SCOPE,
    HELLO_WORLD_URL,
    AutomateUser,
    wait_until_done,
)


@pytest.fixture
def hello(automate_user: AutomateUser) -> ActionClient:
    return ActionClient.new_client(HELLO_WORLD_URL, automate_user.authorizer(HELLO_WORLD_SCOPE))


def test_introspection_names_the_scope(globus_local_server: object) -> None:
    public = ActionClient.new_client(HELLO_WORLD_URL, None)
    description = public.introspect()
    assert description["title"] == "Hello World"
    assert description["globus_auth_scope"] == HELLO_WORLD_SCOPE
    assert public.action_scope == HELLO_WORLD_SCOPE


def test_run_status_log_release(hello: ActionClient, automate_user: AutomateUser) -> None:
    started = hello.run({"echo_string": "Hello from SDK"}, label="sdk test")
    assert started.http_status in (200, 202)
    action_id = started["action_id"]
    assert started["creator_id"] == automate_user.urn
    assert started["label"] == "sdk test"
    done = wait_until_done(lambda: hello.status(action_id))
    assert done["status"] == "SUCCEEDED"
    assert done["details"] == {"Hello": "World", "hello": "Hello from SDK"}
    log = hello.log(action_id, limit=5)
    assert isinstance(log["entries"], list)
    released = hello.release(action_id)
    assert released["action_id"] == action_id
    with pytest.raises(AutomateAPIError) as info:
        hello.status(action_id)
    assert info.value.http_status == 404


def test_request_id_makes_a_repeat_the_same_action(hello: ActionClient) -> None:
    request_id = str(uuid.uuid4())
    first = hello.run({"echo_string": "once"}, request_id=request_id)
    again = hello.run({"echo_string": "once"}, request_id=request_id)
    assert again["action_id"] == first["action_id"]
    with pytest.raises(GlobusAPIError) as info:
        hello.run({"echo_string": "something else"}, request_id=request_id)
    assert info.value.http_status in (400, 409)


def test_roles_and_their_aliases(hello: ActionClient, automate_user: AutomateUser) -> None:
    other = f"urn:globus:auth:identity:{uuid.uuid4()}"
    started = hello.run(
        {"echo_string": "roles"},
        monitor_by=[automate_user.urn],
        run_monitors=[other],
        run_managers=[other],
    )
    assert set(started["monitor_by"]) >= {automate_user.urn, other}
    assert other in started["manage_by"]


def test_cancel_a_sleeping_action(hello: ActionClient) -> None:
    started = hello.run({"echo_string": "zzz", "sleep_time": 300})
    assert started["status"] == "ACTIVE"
    canceled = hello.cancel(started["action_id"])
    assert canceled["status"] == "FAILED"
    assert hello.status(started["action_id"])["status"] == "FAILED"


def test_errors_carry_the_providers_code(hello: ActionClient) -> None:
    with pytest.raises(AutomateAPIError) as info:
        hello.run({"not_an_input": 1})
    assert info.value.http_status == 400
    assert info.value.code != "Error"
    assert info.value.message
    nobody = ActionClient.new_client(HELLO_WORLD_URL, None)
    with pytest.raises(AutomateAPIError) as info:
        nobody.run({"echo_string": "no token"})
    assert info.value.http_status == 401
