"""Unit tests of the retry primitives (the transport-level behaviour is in test_transport)."""

from __future__ import annotations

import pytest

from globus_sdk.transport import (
    RetryCheckFlags,
    RetryCheckResult,
    RetryCheckRunner,
    RetryContext,
    set_retry_check_flags,
)
from globus_sdk.transport.retry import _exponential_backoff


def test_result_and_flag_values() -> None:
    assert RetryCheckResult.do_retry.value == 1
    assert RetryCheckResult.do_not_retry.value == 2
    assert RetryCheckResult.no_decision.value == 3
    assert RetryCheckFlags.NONE.value == 1
    assert RetryCheckFlags.RUN_ONCE.value == 2


def test_context_defaults() -> None:
    ctx = RetryContext(2)
    assert (ctx.attempt, ctx.response, ctx.exception, ctx.authorizer, ctx.backoff) == (
        2,
        None,
        None,
        None,
        None,
    )


def test_first_decision_wins() -> None:
    calls: list[str] = []

    def undecided(ctx: RetryContext) -> RetryCheckResult:
        calls.append("undecided")
        return RetryCheckResult.no_decision

    def refuse(ctx: RetryContext) -> RetryCheckResult:
        calls.append("refuse")
        return RetryCheckResult.do_not_retry

    def accept(ctx: RetryContext) -> RetryCheckResult:
        calls.append("accept")
        return RetryCheckResult.do_retry

    assert RetryCheckRunner([undecided, refuse, accept]).should_retry(RetryContext(0)) is False
    assert calls == ["undecided", "refuse"]
    assert RetryCheckRunner([undecided, accept, refuse]).should_retry(RetryContext(0)) is True


def test_no_decision_means_no_retry() -> None:
    runner = RetryCheckRunner([lambda ctx: RetryCheckResult.no_decision])
    assert runner.should_retry(RetryContext(0)) is False
    assert RetryCheckRunner([]).should_retry(RetryContext(0)) is False


def test_run_once_flag_via_decorator() -> None:
    calls: list[int] = []

    @set_retry_check_flags(RetryCheckFlags.RUN_ONCE)
    def once(ctx: RetryContext) -> RetryCheckResult:
        calls.append(ctx.attempt)
        return RetryCheckResult.do_retry

    runner = RetryCheckRunner([once])
    assert runner.should_retry(RetryContext(0)) is True
    assert runner.should_retry(RetryContext(1)) is False
    assert calls == [0]
    # a new runner (a new request) runs it again
    assert RetryCheckRunner([once]).should_retry(RetryContext(0)) is True


def test_run_once_flag_via_pairing() -> None:
    calls: list[int] = []

    def check(ctx: RetryContext) -> RetryCheckResult:
        calls.append(ctx.attempt)
        return RetryCheckResult.do_retry

    runner = RetryCheckRunner([(check, RetryCheckFlags.RUN_ONCE)])
    assert runner.should_retry(RetryContext(0)) is True
    assert runner.should_retry(RetryContext(1)) is False
    unflagged = RetryCheckRunner([check])
    assert unflagged.should_retry(RetryContext(0)) and unflagged.should_retry(RetryContext(1))
    assert calls == [0, 0, 1]


@pytest.mark.parametrize("attempt", range(6))
def test_default_backoff_is_jittered_exponential(attempt: int) -> None:
    for _ in range(20):
        delay = _exponential_backoff(RetryContext(attempt))
        assert 0.25 * 2**attempt <= delay < 0.5 * 2**attempt


def test_default_backoff_respects_context_backoff() -> None:
    ctx = RetryContext(3)
    ctx.backoff = 1.5
    assert _exponential_backoff(ctx) == 1.5
