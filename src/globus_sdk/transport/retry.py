"""Retry machinery: contexts describing one attempt, checks voting on it, and the runner.

Checks are small functions ``check(ctx) -> RetryCheckResult``. The runner asks them in
order; the first definite answer (retry / do not retry) wins and no answer means "do not
retry". A check may set ``ctx.backoff`` to request a specific sleep (e.g. Retry-After).
"""

from __future__ import annotations

import enum
import random
import typing as t

import requests

if t.TYPE_CHECKING:
    from globus_sdk.authorizers import GlobusAuthorizer


class RetryCheckResult(enum.Enum):
    """A check's vote on whether to retry."""

    #: yes, retry the request
    do_retry = 1
    #: no, do not retry the request
    do_not_retry = 2
    #: "I don't know", ask other checks for an answer
    no_decision = 3


class RetryCheckFlags(enum.Flag):
    """Options attached to a retry check (see :func:`set_retry_check_flags`)."""

    #: no flags (default)
    NONE = 1
    #: only run this check once per request
    RUN_ONCE = 2


class RetryContext:
    """What a retry check sees about one attempt: exactly one of response or exception.

    ``backoff`` starts as None; a check may set it to ask for that many seconds of sleep
    before the next attempt (still capped by the transport's ``max_sleep``).
    """

    def __init__(
        self,
        attempt: int,
        *,
        authorizer: GlobusAuthorizer | None = None,
        response: requests.Response | None = None,
        exception: Exception | None = None,
    ) -> None:
        self.attempt = attempt
        self.authorizer = authorizer
        self.response = response
        self.exception = exception
        self.backoff: float | None = None

    def __repr__(self) -> str:
        status = self.response.status_code if self.response is not None else None
        return (
            f"RetryContext(attempt={self.attempt}, status={status}, "
            f"exception={self.exception!r}, backoff={self.backoff})"
        )


RetryCheck = t.Callable[[RetryContext], RetryCheckResult]
C = t.TypeVar("C", bound=t.Callable[..., t.Any])

_FLAGS_ATTR = "_retry_check_flags"


def set_retry_check_flags(flag: RetryCheckFlags) -> t.Callable[[C], C]:
    """Decorator attaching flags to a retry check function, e.g. ``RUN_ONCE``."""

    def decorator(func: C) -> C:
        setattr(func, _FLAGS_ATTR, flag)
        return func

    return decorator


def get_retry_check_flags(check: t.Callable[..., t.Any]) -> RetryCheckFlags:
    """The flags set on a check (NONE when it has none)."""
    flags = getattr(check, _FLAGS_ATTR, RetryCheckFlags.NONE)
    return flags if isinstance(flags, RetryCheckFlags) else RetryCheckFlags.NONE


class RetryCheckRunner:
    """Answers ``should_retry(ctx)`` over the whole life of one request.

    It lives across attempts, which is what lets a ``RUN_ONCE`` check be skipped after it
    has run once for the request. A check may be given as ``check`` (its flags come from
    :func:`set_retry_check_flags`) or paired with explicit flags as ``(check, flags)``.
    """

    def __init__(
        self,
        checks: t.Sequence[RetryCheck | tuple[RetryCheck, RetryCheckFlags]],
    ) -> None:
        self._checks: list[tuple[RetryCheck, RetryCheckFlags]] = []
        for check in checks:
            if isinstance(check, tuple):
                func, flags = check
            else:
                func, flags = check, get_retry_check_flags(check)
            self._checks.append((func, flags))
        self._has_run: set[int] = set()

    def should_retry(self, context: RetryContext) -> bool:
        for index, (check, flags) in enumerate(self._checks):
            if RetryCheckFlags.RUN_ONCE in flags:
                if index in self._has_run:
                    continue
                self._has_run.add(index)
            result = check(context)
            if result is RetryCheckResult.do_retry:
                return True
            if result is RetryCheckResult.do_not_retry:
                return False
        return False


def _exponential_backoff(ctx: RetryContext) -> float:
    """Jittered exponential backoff: between 0.25 and 0.5 seconds times ``2**attempt``.

    The jitter spreads out clients that failed together; the ranges of successive
    attempts do not overlap, so the delay always grows.
    """
    if ctx.backoff is not None:
        return ctx.backoff
    return 0.25 * (2.0**ctx.attempt) * (1.0 + random.random())
