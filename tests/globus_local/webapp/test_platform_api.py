"""Error documents of every service shape become the same ApiError."""

from __future__ import annotations

import json

import pytest

from globus_local.webapp.platform_api import ApiResponse

CASES = [
    (
        {"code": "ClientError.NotFound", "message": "No such task"},
        "ClientError.NotFound",
        "No such task",
    ),
    ({"errors": [{"code": "BadRequest", "message": "q is empty"}]}, "BadRequest", "q is empty"),
    ({"error": {"code": "BAD_REQUEST", "detail": "input invalid"}}, "BAD_REQUEST", "input invalid"),
    ({"error": "invalid_grant", "error_description": "Code used"}, "invalid_grant", "Code used"),
]


@pytest.mark.parametrize(("document", "code", "message"), CASES)
def test_each_services_error_document_gives_code_and_message(
    document: dict[str, object], code: str, message: str
) -> None:
    answer = ApiResponse(400, {}, json.dumps(document).encode())
    with pytest.raises(Exception) as caught:
        answer.checked()
    assert (caught.value.code, caught.value.message) == (code, message)  # type: ignore[attr-defined]


def test_a_body_that_is_not_json_still_gives_an_error() -> None:
    with pytest.raises(Exception) as caught:
        ApiResponse(502, {}, b"<html>").checked()
    assert caught.value.code == "HTTP502"  # type: ignore[attr-defined]
