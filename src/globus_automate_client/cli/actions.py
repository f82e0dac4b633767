"""``globus-automate action ...``: one Action Provider, by its URL."""

from __future__ import annotations

import argparse
import functools

from globus_automate_client.cli.inputs import InputError, read_document
from globus_automate_client.cli.options import add_output, bounded_int, output_of, principals
from globus_automate_client.cli.output import LOG_LISTING
from globus_automate_client.cli.runner import CommandFailed, Result, run
from globus_automate_client.client_helpers import create_action_client

WATCH_HELP = "Continuously poll this Action until it reaches a completed state."


def _provider_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--action-url",
        required=True,
        help="The url at which the target Action Provider is located. [required]",
    )
    parser.add_argument(
        "--action-scope",
        help="The scope this Action Provider uses to authenticate requests.",
    )


def _action_command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help_text: str,
    *,
    takes_id: bool = True,
) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=help_text, description=help_text)
    if takes_id:
        parser.add_argument("action_id", metavar="ACTION_ID")
    _provider_options(parser)
    return parser


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    introspect = _action_command(
        sub, "introspect", "Introspect an Action Provider's schema.", takes_id=False
    )
    add_output(introspect)
    introspect.set_defaults(handler=action_introspect)

    run_cmd = _action_command(sub, "run", "Launch an Action.", takes_id=False)
    run_cmd.add_argument(
        "-b",
        "--body",
        required=True,
        help="The body to supply to the Action Provider. Can be a filename or raw JSON string. [required]",
    )
    run_cmd.add_argument(
        "--request-id", help="An identifier to associate with this Action invocation request"
    )
    for option, what in (
        ("--manage-by", "change the execution of"),
        ("--monitor-by", "view the state of"),
    ):
        run_cmd.add_argument(
            option,
            action="append",
            help=f"A principal which may {what} the Action. [repeatable]",
        )
    add_output(run_cmd)
    run_cmd.add_argument(
        "-l", "--label", help="Optional label to mark this execution of the action."
    )
    run_cmd.add_argument("-w", "--watch", action="store_true", help=WATCH_HELP)
    run_cmd.set_defaults(handler=action_run)

    status = _action_command(sub, "status", "Query an Action's status by its ACTION_ID.")
    add_output(status)
    status.add_argument("-w", "--watch", action="store_true", help=WATCH_HELP)
    status.set_defaults(handler=functools.partial(_simple, "status"))

    resume = _action_command(sub, "resume", "Resume an inactive Action by its ACTION_ID.")
    resume.add_argument(
        "--query-for-inactive-reason",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="Should the Action first be queried to determine the reason for the resume, "
        "and prompt for additional consent if needed. [default: True]",
    )
    add_output(resume)
    resume.add_argument("-w", "--watch", action="store_true", help=WATCH_HELP)
    resume.set_defaults(handler=action_resume)

    cancel = _action_command(sub, "cancel", "Terminate a running Action by its ACTION_ID.")
    add_output(cancel)
    cancel.set_defaults(handler=functools.partial(_simple, "cancel"))

    release = _action_command(
        sub, "release", "Remove an Action's execution history by its ACTION_ID."
    )
    add_output(release)
    release.set_defaults(handler=functools.partial(_simple, "release"))

    log = _action_command(sub, "log", "Get a log of the steps an Action took, by its ACTION_ID.")
    log.add_argument(
        "--reverse",
        action="store_true",
        help="Display logs starting from most recent and proceeding in reverse chronological order",
    )
    log.add_argument(
        "--limit",
        type=bounded_int(1, 100),
        default=10,
        help="Set a maximum number of events from the log to return",
    )
    log.add_argument(
        "-m", "--marker", help="A pagination token for iterating through returned data."
    )
    log.add_argument(
        "-p",
        "--per-page",
        type=bounded_int(1, 50),
        help="The page size to return. Only valid when used without providing a marker.",
    )
    add_output(log, ("json", "yaml", "table"), "json")
    log.set_defaults(handler=action_log)


def action_introspect(args: argparse.Namespace) -> Result:
    ac = create_action_client(args.action_url, args.action_scope)
    return run(ac.introspect, output_of(args))


def action_run(args: argparse.Namespace) -> Result:
    try:
        body = read_document(args.body, "--body")
    except InputError as err:
        raise CommandFailed(str(err), status=2)
    manage_by = principals(args.manage_by)
    monitor_by = principals(args.monitor_by)
    ac = create_action_client(args.action_url, args.action_scope)
    result = run(
        functools.partial(ac.run, body, args.request_id, manage_by, monitor_by, args.label),
        output_of(args),
    )
    action_id = result.data.get("action_id") if isinstance(result.data, dict) else None
    if args.watch and not result.failed and action_id:
        return run(functools.partial(ac.status, action_id), output_of(args), watching=True)
    return result


def _simple(operation: str, args: argparse.Namespace) -> Result:
    ac = create_action_client(args.action_url, args.action_scope)
    method = getattr(ac, operation)
    return run(
        functools.partial(method, args.action_id),
        output_of(args),
        watching=getattr(args, "watch", False),
    )


def action_resume(args: argparse.Namespace) -> Result:
    scope = args.action_scope
    if args.query_for_inactive_reason:
        ac = create_action_client(args.action_url, scope)
        status = run(functools.partial(ac.status, args.action_id), output_of(args))
        details = status.data.get("details") if isinstance(status.data, dict) else None
        if (
            isinstance(details, dict)
            and status.data.get("status") == "INACTIVE"
            and details.get("code") == "ConsentRequired"
            and isinstance(details.get("required_scope"), str)
        ):
            scope = details["required_scope"]
    ac = create_action_client(args.action_url, scope)
    result = run(functools.partial(ac.resume, args.action_id), output_of(args))
    if args.watch and not result.failed:
        return run(functools.partial(ac.status, args.action_id), output_of(args), watching=True)
    return result


def action_log(args: argparse.Namespace) -> Result:
    ac = create_action_client(args.action_url, args.action_scope)
    request = functools.partial(
        ac.log, args.action_id, args.limit, args.reverse, args.marker, args.per_page
    )
    return run(request, output_of(args, LOG_LISTING))
