"""Running one command's request: printing its answer, watching it, and turning failures
into messages and exit statuses.

A service's error document is printed like any answer (so it can be piped and read), and
the command exits 1. ``--watch`` repeats the request every ``POLL_SECONDS`` until the
result says the run or action is over, printing each answer that differs from the last.
"""

from __future__ import annotations

import time
import typing as t
from collections.abc import Callable
from dataclasses import dataclass

from globus_automate_client.cli.output import Listing, echo, http_details, render
from globus_automate_client.errors import FlowValidationError
from globus_sdk.exc import GlobusAPIError, NetworkError
from globus_sdk.response import GlobusHTTPResponse

POLL_SECONDS = 2.0
DONE_STATUSES = frozenset({"SUCCEEDED", "FAILED"})
DONE_LOG_CODES = frozenset({"FlowSucceeded", "FlowFailed", "FlowCanceled"})


class CommandFailed(Exception):
    """Ends a command with a message on stderr and a non-zero exit status."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def status_done(data: t.Any) -> bool:
    """A status document of a run or action that has ended."""
    return isinstance(data, dict) and data.get("status") in DONE_STATUSES


def log_done(data: t.Any) -> bool:
    """A run log that holds the run's last entry."""
    entries = data.get("entries") if isinstance(data, dict) else None
    return any(isinstance(e, dict) and e.get("code") in DONE_LOG_CODES for e in entries or [])


@dataclass
class Output:
    """How a command prints: format, request details, and the table for a listing."""

    fmt: str = "json"
    verbose: bool = False
    listing: Listing | None = None


class Result(t.NamedTuple):
    data: t.Any
    failed: bool


def call(request: Callable[[], GlobusHTTPResponse | None], output: Output) -> Result:
    """Make the request and print its answer (or the service's error document)."""
    try:
        response = request()
    except GlobusAPIError as err:
        data: t.Any = err.raw_json if err.raw_json is not None else {"error": err.raw_text}
        echo(render(data, output.fmt, None))
        return Result(data, True)
    except NetworkError as err:
        raise CommandFailed(f"Could not reach the service: {err}")
    except FlowValidationError as err:
        raise CommandFailed(f"The flow is not valid: {err}")
    if response is None:
        return Result(None, False)
    if output.verbose:
        echo(http_details(response), err=True)
    echo(render(response.data, output.fmt, output.listing))
    return Result(response.data, False)


def watch(
    request: Callable[[], GlobusHTTPResponse],
    output: Output,
    done: Callable[[t.Any], bool] = status_done,
) -> Result:
    """Repeat the request until ``done`` says so or it fails, printing each new answer."""
    last: t.Any = object()
    while True:
        try:
            response = request()
        except GlobusAPIError:
            return call(request, output)
        except NetworkError as err:
            raise CommandFailed(f"Could not reach the service: {err}")
        if response.data != last:
            last = response.data
            if output.verbose:
                echo(http_details(response), err=True)
            echo(render(response.data, output.fmt, output.listing))
        if done(response.data):
            return Result(response.data, False)
        time.sleep(POLL_SECONDS)


def run(
    request: Callable[[], GlobusHTTPResponse],
    output: Output,
    watching: bool = False,
    done: Callable[[t.Any], bool] = status_done,
) -> Result:
    return watch(request, output, done) if watching else call(request, output)
