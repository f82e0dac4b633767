"""Input schemas: checked when a flow is defined, applied to every run's input."""

from __future__ import annotations

import http.server
import threading

import pytest

from globus_local.flow_language.validation import (
    DefinitionError,
    check_input_schema,
    validate_input,
)

SCHEMA = {
    "type": "object",
    "properties": {
        "count": {"type": "integer", "minimum": 1},
        "items": {"type": "array", "items": {"type": "string"}},
        "source": {
            "type": "object",
            "format": "globus-collection",
            "properties": {"id": {"type": "string"}, "path": {"type": "string"}},
        },
    },
    "required": ["count"],
    "additionalProperties": False,
}


def test_a_good_schema_passes_and_good_input_has_no_errors():
    check_input_schema(SCHEMA)
    check_input_schema({})
    assert validate_input(SCHEMA, {"count": 2, "items": ["a"]}) == []


@pytest.mark.parametrize("schema", [[], "x", {"type": "nonsense"}, {"properties": 5}])
def test_bad_schemas_are_definition_errors(schema):
    with pytest.raises(DefinitionError) as caught:
        check_input_schema(schema)
    assert caught.value.rule == "input-schema"


def test_input_errors_name_the_failing_place():
    errors = validate_input(SCHEMA, {"count": 0, "items": ["a", 5], "extra": 1})
    assert "$.count: 0 is less than the minimum of 1" in errors
    assert "$.items[1]: 5 is not of type 'string'" in errors
    assert any(error.startswith("$: Additional properties") for error in errors)
    assert validate_input(SCHEMA, {}) == ["$: 'count' is a required property"]


def test_the_input_must_be_an_object():
    assert validate_input({}, [1]) == ["$: the input must be an object"]


def test_remote_references_are_never_fetched():
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"type": "string"}')

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        schema = {"$ref": f"http://127.0.0.1:{server.server_port}/schema.json"}
        check_input_schema(schema)
        errors = validate_input(schema, {})
    finally:
        server.shutdown()
        server.server_close()
    assert requests == []
    assert len(errors) == 1 and "cannot be applied" in errors[0]
