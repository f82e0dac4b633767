"""``globus-automate flow ...``: deploying and managing flows, and running them.

Every run command has two names, ``run-<verb>`` and the older ``action-<verb>``. The
Flows service is the environment's, or ``GLOBUS_AUTOMATE_FLOWS_ENDPOINT`` when set.
"""

from __future__ import annotations

import argparse
import functools
import os
import typing as t

from globus_automate_client.cli.auth import CLIENT_ID
from globus_automate_client.cli.inputs import InputError, read_document
from globus_automate_client.cli.options import (
    add_output,
    bounded_int,
    output_of,
    pick_role,
    principals,
    query_options,
    uuid_text,
)
from globus_automate_client.cli.output import FLOW_LISTING, LOG_LISTING, RUN_LISTING, echo
from globus_automate_client.cli.runner import CommandFailed, Result, log_done, run
from globus_automate_client.client_helpers import create_flows_client
from globus_automate_client.errors import FlowValidationError
from globus_automate_client.flows_client import (
    OLD_FLOW_ROLES,
    OLD_RUN_ROLES,
    PROD_FLOWS_BASE_URL,
    FlowsClient,
)
from globus_automate_client.validation import validate_flow_definition

FLOWS_ENDPOINT_VAR = "GLOBUS_AUTOMATE_FLOWS_ENDPOINT"
FLOW_ROLES = ["flow_viewer", "flow_starter", "flow_administrator", "flow_owner"]
RUN_ROLES = ["run_monitor", "run_manager", "run_owner"]
RUN_STATUSES = ["SUCCEEDED", "FAILED", "ACTIVE", "INACTIVE"]
#: (canonical option, old spellings) of each flow role list
ROLE_OPTIONS = {
    "flow_viewer": ("--flow-viewer", ("--viewer", "--visible-to"), ("public",)),
    "flow_starter": (
        "--flow-starter",
        ("--starter", "--runnable-by"),
        ("all_authenticated_users",),
    ),
    "flow_administrator": ("--flow-administrator", ("--administrator", "--administered-by"), ()),
}
PRINCIPAL_HELP = (
    "The principal value is the user's Globus Auth username or their identity UUID in the "
    "form urn:globus:auth:identity:<UUID>. A Globus Group may also be used using the form "
    "urn:globus:groups:id:<UUID>."
)
WATCH_HELP = "Continuously poll this Action until it reaches a completed state."


def flows_client() -> FlowsClient:
    return create_flows_client(CLIENT_ID, os.environ.get(FLOWS_ENDPOINT_VAR) or PROD_FLOWS_BASE_URL)


def _document(value: str | None, what: str) -> dict[str, t.Any] | None:
    if value is None:
        return None
    try:
        return read_document(value, what)
    except InputError as err:
        raise CommandFailed(str(err), status=2)


# -- registration ---------------------------------------------------------------------------


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    _register_flow_commands(sub)
    for prefix in ("run", "action"):
        _register_run_commands(sub, prefix)


def _flow_fields(parser: argparse.ArgumentParser, *, deploying: bool) -> None:
    verb = "deploy" if deploying else "update"
    parser.add_argument("--title", required=deploying, help="The Flow's title.")
    parser.add_argument(
        "--definition",
        required=deploying,
        help=f"JSON or YAML representation of the Flow to {verb}. May be provided as a "
        "filename or a raw string representing a JSON object or YAML definition.",
    )
    parser.add_argument(
        "--subtitle", help="A subtitle for the Flow providing additional, brief description."
    )
    parser.add_argument(
        "--description", help="A long form description of the Flow's purpose or usage."
    )
    parser.add_argument(
        "--input-schema",
        help="A JSON or YAML representation of a JSON Schema which will be used to validate "
        "the input to the deployed Flow when it is run. If not provided, no validation will "
        "be performed on Flow input. May be provided as a filename or a raw string.",
    )
    parser.add_argument(
        "--keyword",
        dest="keywords",
        action="append",
        help="A keyword which may categorize or help discover the Flow. [repeatable]",
    )
    for dest, (option, aliases, specials) in ROLE_OPTIONS.items():
        special = f" The special value of {specials[0]!r} may be used." if specials else ""
        parser.add_argument(
            option,
            dest=dest,
            action="append",
            help=f"A principal which may act as {dest} on this Flow. {PRINCIPAL_HELP}{special} [repeatable]",
        )
        for alias in aliases:
            parser.add_argument(
                alias,
                dest=f"{dest}_alias_{alias.strip('-')}",
                action="append",
                help=argparse.SUPPRESS,
            )
    parser.add_argument(
        "--subscription-id",
        help="The Id of the Globus Subscription which will be used to make this flow managed.",
    )
    parser.add_argument(
        "--validate",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="(EXPERIMENTAL) Perform rudimentary validation of the flow definition. [default: True]",
    )
    add_output(parser)


def _register_flow_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    deploy = sub.add_parser("deploy", help="Deploy a new Flow.", description="Deploy a new Flow.")
    _flow_fields(deploy, deploying=True)
    deploy.add_argument(
        "--dry-run",
        action="store_true",
        help="Do a dry run of deploying the flow to test your definition without actually making changes.",
    )
    deploy.set_defaults(handler=flow_deploy)

    update = sub.add_parser("update", help="Update a Flow.", description="Update a Flow.")
    update.add_argument("flow_id", metavar="FLOW_ID")
    _flow_fields(update, deploying=False)
    update.add_argument(
        "--assume-ownership",
        action="store_true",
        help="Assume the ownership of the Flow. This can only be performed by user's in the "
        "flow_administrators role.",
    )
    update.set_defaults(handler=flow_update)

    get = sub.add_parser(
        "get",
        help="Get a Flow's definition as it exists on the Flows service.",
        description="Get a Flow's definition as it exists on the Flows service.",
    )
    get.add_argument("flow_id", metavar="FLOW_ID", help="A deployed Flow's ID")
    add_output(get)
    get.set_defaults(handler=flow_get)

    delete = sub.add_parser(
        "delete",
        help="Delete a Flow.",
        description='Delete a Flow. You must be in the Flow\'s "flow_administrators" list.',
    )
    delete.add_argument("flow_id", metavar="FLOW_ID")
    add_output(delete)
    delete.set_defaults(handler=flow_delete)

    listing = sub.add_parser(
        "list",
        help="List Flows for which you have access.",
        description="List Flows for which you have access.",
    )
    listing.add_argument(
        "-r",
        "--role",
        dest="roles",
        action="append",
        choices=FLOW_ROLES + list(OLD_FLOW_ROLES),
        help="Display Flows where you have at least the selected role. Precedence of roles "
        "is: flow_viewer, flow_starter, flow_administrator, flow_owner. Values visible_to, "
        "runnable_by, administered_by and created_by are deprecated. [default: flow_owner]",
    )
    _paging_options(listing)
    listing.add_argument(
        "-w", "--watch", action="store_true", help="Continuously poll for new Flows."
    )
    add_output(listing, ("json", "yaml", "table"), "table")
    listing.set_defaults(handler=flow_list)

    lint = sub.add_parser(
        "lint",
        help="Parse and validate a Flow definition by providing visual output.",
        description="Parse and validate a Flow definition by providing visual output.",
    )
    lint.add_argument(
        "--definition",
        required=True,
        help="JSON or YAML representation of the Flow to deploy. May be provided as a filename or a raw string.",
    )
    lint.set_defaults(handler=flow_lint)

    run_flow = sub.add_parser(
        "run",
        help="Run an instance of a Flow.",
        description="Run an instance of a Flow. The argument provides the initial state of "
        'the Flow. You must be in the Flow\'s "flow_starters" list.',
    )
    run_flow.add_argument("flow_id", metavar="FLOW_ID")
    run_flow.add_argument(
        "--flow-input",
        required=True,
        help="JSON or YAML formatted input to the Flow. May be provided as a filename or a raw string.",
    )
    run_flow.add_argument("--flow-scope", help="The scope this Flow uses to authenticate requests.")
    for option, what in (
        ("--run-manager", "change the execution of"),
        ("--run-monitor", "monitor the execution of"),
    ):
        run_flow.add_argument(
            option,
            action="append",
            help=f"A principal which may {what} the Flow instance. {PRINCIPAL_HELP} [repeatable]",
        )
    run_flow.add_argument("--manage-by", action="append", help=argparse.SUPPRESS)
    run_flow.add_argument("--monitor-by", action="append", help=argparse.SUPPRESS)
    add_output(run_flow, ("json", "yaml", "table"), None)
    run_flow.add_argument("-l", "--label", required=True, help="Label to mark this run. [required]")
    run_flow.add_argument(
        "--tag",
        dest="tags",
        action="append",
        help="A tag to associate with this Run. This option can be used multiple times.",
    )
    run_flow.add_argument(
        "-w",
        "--watch",
        action="store_true",
        help=WATCH_HELP + " If enabled the default output format is 'table'.",
    )
    run_flow.add_argument(
        "--dry-run",
        action="store_true",
        help="Do a dry run with your input to this flow to test the input without actually running anything.",
    )
    run_flow.set_defaults(handler=flow_run)


def _paging_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-m", "--marker", help="A pagination token for iterating through returned data."
    )
    parser.add_argument(
        "-p",
        "--per-page",
        type=bounded_int(1, 50),
        help="The page size to return. Only valid when used without providing a marker.",
    )
    parser.add_argument(
        "--filter",
        dest="filters",
        action="append",
        help="A filtering criteria in the form 'key=value' to apply to the resulting listing. [repeatable]",
    )
    parser.add_argument(
        "--orderby",
        dest="orderings",
        action="append",
        help="An ordering criteria in the form 'key=value', the value ASC or DESC. [repeatable]",
    )


def _run_command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    prefix: str,
    verb: str,
    help_text: str,
    *,
    id_name: str = "ACTION_ID",
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        f"{prefix}-{verb}", help=help_text, description=help_text
    )
    parser.add_argument("action_id", metavar=id_name)
    return parser


def _flow_id_options(parser: argparse.ArgumentParser, *, as_uuid: bool = False) -> None:
    parser.add_argument(
        "--flow-id",
        required=True,
        type=uuid_text if as_uuid else str,
        help="The ID for the Flow which triggered the Action. [required]",
    )
    parser.add_argument("--flow-scope", help="The scope this Flow uses to authenticate requests.")


def _register_run_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], prefix: str
) -> None:
    status = _run_command(
        sub, prefix, "status", "Display the status for a Flow definition's particular invocation."
    )
    _flow_id_options(status, as_uuid=True)
    status.add_argument("-w", "--watch", action="store_true", help=WATCH_HELP)
    add_output(status)
    status.set_defaults(handler=functools.partial(_run_operation, "flow_action_status"))

    log = _run_command(
        sub, prefix, "log", "Get a log of the steps executed by a Flow definition's invocation."
    )
    _flow_id_options(log)
    log.add_argument(
        "--reverse",
        action="store_true",
        help="Display logs starting from most recent and proceeding in reverse chronological order",
    )
    log.add_argument(
        "--limit",
        type=bounded_int(1, 100),
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
    add_output(log, ("json", "yaml", "table"), "table")
    log.add_argument(
        "-w",
        "--watch",
        action="store_true",
        help=WATCH_HELP + " Using this option will report only the latest state available.",
    )
    log.set_defaults(handler=flow_run_log)

    for verb, method, text in (
        (
            "cancel",
            "flow_action_cancel",
            "Cancel an active execution for a particular Flow definition's invocation.",
        ),
        (
            "release",
            "flow_action_release",
            "Remove execution history for a particular Flow definition's invocation.",
        ),
    ):
        parser = _run_command(sub, prefix, verb, text)
        _flow_id_options(parser)
        add_output(parser)
        parser.set_defaults(handler=functools.partial(_run_operation, method))

    resume = _run_command(sub, prefix, "resume", "Resume a Flow in the INACTIVE state.")
    _flow_id_options(resume)
    resume.add_argument(
        "--query-for-inactive-reason",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="Should the Action first be queried to determine the reason for the resume, "
        "and prompt for additional consent if needed. [default: True]",
    )
    add_output(resume)
    resume.add_argument("-w", "--watch", action="store_true", help=WATCH_HELP)
    resume.set_defaults(handler=flow_run_resume)

    run_list = sub.add_parser(
        f"{prefix}-list",
        help="List a Flow definition's discrete invocations.",
        description="List a Flow definition's discrete invocations.",
    )
    run_list.add_argument(
        "--flow-id",
        help="The ID for the Flow which triggered the Action. If not present runs from all Flows will be displayed.",
    )
    run_list.add_argument("--flow-scope", help="The scope this Flow uses to authenticate requests.")
    _run_filters(run_list)
    run_list.set_defaults(handler=flow_run_list)

    enumerate_runs = sub.add_parser(
        f"{prefix}-enumerate",
        help="Retrieve all Flow Runs you have access to view.",
        description="Retrieve all Flow Runs you have access to view.",
    )
    _run_filters(enumerate_runs)
    enumerate_runs.set_defaults(handler=flow_run_list, flow_id=None, flow_scope=None)

    update = _run_command(
        sub, prefix, "update", "Update a Run on the Flows service.", id_name="RUN_ID"
    )
    for option, what in (
        ("--run-manager", "change the execution of"),
        ("--run-monitor", "monitor the execution of"),
    ):
        update.add_argument(
            option,
            action="append",
            help=f"A principal which may {what} the Run. {PRINCIPAL_HELP} Specify an empty "
            "string once to erase all of them. [repeatable]",
        )
    update.add_argument(
        "--tag",
        dest="tags",
        action="append",
        help="A tag to associate with the Run, replacing its tags. Specify an empty string "
        "once to erase all tags. [repeatable]",
    )
    update.add_argument("--label", help="A label to associate with the Run.")
    add_output(update)
    update.set_defaults(handler=flow_run_update)


def _run_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--role",
        dest="roles",
        action="append",
        choices=RUN_ROLES + list(OLD_RUN_ROLES),
        help="Display Actions/Runs where you have at least the selected role. Precedence of "
        "roles is: run_monitor, run_manager, run_owner. [repeatable use deprecated]",
    )
    parser.add_argument(
        "--status",
        dest="statuses",
        action="append",
        type=str.upper,
        choices=RUN_STATUSES,
        help="Display Actions with the selected status. [repeatable]",
    )
    _paging_options(parser)
    parser.add_argument(
        "-w", "--watch", action="store_true", help="Continuously poll for new Actions."
    )
    add_output(parser, ("json", "yaml", "table"), "table")


# -- flows ------------------------------------------------------------------------------------


def _role_values(args: argparse.Namespace) -> dict[str, list[str] | None]:
    """Each flow role list from its canonical option or one old spelling (with a warning)."""
    values: dict[str, list[str] | None] = {}
    for dest, (option, aliases, specials) in ROLE_OPTIONS.items():
        given = [(option, getattr(args, dest))] if getattr(args, dest) is not None else []
        for alias in aliases:
            value = getattr(args, f"{dest}_alias_{alias.strip('-')}")
            if value is not None:
                given.append((alias, value))
        if len(given) > 1:
            names = ", ".join(name for name, _ in given)
            raise CommandFailed(f"{names} are aliases of one option; use only {option}")
        if given and given[0][0] != option:
            echo(f"{given[0][0]} is deprecated; use {option} instead.", err=True)
        values[f"{dest}s"] = principals(given[0][1], *specials) if given else None
    return values


def _flow_request_fields(args: argparse.Namespace) -> dict[str, t.Any]:
    return {
        "flow_definition": _document(args.definition, "--definition"),
        "title": args.title,
        "subtitle": args.subtitle,
        "description": args.description,
        "keywords": args.keywords,
        **_role_values(args),
        "subscription_id": args.subscription_id,
        "input_schema": _document(args.input_schema, "--input-schema"),
        "validate_definition": args.validate,
        "validate_schema": args.validate,
    }


def flow_deploy(args: argparse.Namespace) -> Result:
    fields = _flow_request_fields(args)
    fc = flows_client()
    for key in ("keywords", "flow_viewers", "flow_starters", "flow_administrators"):
        fields[key] = fields[key] or ()
    return run(functools.partial(fc.deploy_flow, dry_run=args.dry_run, **fields), output_of(args))


def flow_update(args: argparse.Namespace) -> Result:
    fields = _flow_request_fields(args)
    fc = flows_client()
    if args.assume_ownership:
        user = _current_user_urn()
        return run(
            functools.partial(fc.update_flow, args.flow_id, flow_owner=user, **fields),
            output_of(args),
        )
    return run(functools.partial(fc.update_flow, args.flow_id, **fields), output_of(args))


def _current_user_urn() -> str:
    from globus_automate_client.cli.auth import get_current_user

    user = get_current_user()
    if not user or "sub" not in user:
        raise CommandFailed("Could not tell who is logged in, to assume ownership")
    return f"urn:globus:auth:identity:{user['sub']}"


def flow_get(args: argparse.Namespace) -> Result:
    fc = flows_client()
    return run(functools.partial(fc.get_flow, args.flow_id), output_of(args))


def flow_delete(args: argparse.Namespace) -> Result:
    fc = flows_client()
    return run(functools.partial(fc.delete_flow, args.flow_id), output_of(args))


def flow_list(args: argparse.Namespace) -> Result:
    role = pick_role(args.roles or ["flow_owner"], FLOW_ROLES, OLD_FLOW_ROLES)
    filters = query_options(args.filters, "--filter")
    orderings = query_options(args.orderings, "--orderby")
    fc = flows_client()
    request = functools.partial(
        fc.list_flows,
        role=role,
        marker=args.marker,
        per_page=args.per_page,
        filters=filters,
        orderings=orderings,
    )
    return run(request, output_of(args, FLOW_LISTING), watching=args.watch, done=lambda _: False)


def flow_lint(args: argparse.Namespace) -> Result:
    definition = _document(args.definition, "--definition") or {}
    try:
        validate_flow_definition(definition)
    except FlowValidationError as err:
        echo(str(err))
        raise CommandFailed("The Flow definition has issues.") from err
    echo("No issues found in the Flow definition.")
    return Result(None, False)


def flow_run(args: argparse.Namespace) -> Result:
    flow_input = _document(args.flow_input, "--flow-input") or {}
    fmt = args.format or ("table" if args.watch else "json")
    output = output_of(args, LOG_LISTING)
    output.fmt = fmt
    fc = flows_client()
    request = functools.partial(
        fc.run_flow,
        args.flow_id,
        args.flow_scope,
        flow_input,
        run_managers=principals(args.run_manager),
        run_monitors=principals(args.run_monitor),
        dry_run=args.dry_run,
        label=args.label,
        tags=args.tags,
        manage_by=principals(args.manage_by),
        monitor_by=principals(args.monitor_by),
    )
    result = run(request, output)
    run_id = result.data.get("action_id") if isinstance(result.data, dict) else None
    if args.watch and not result.failed and run_id:
        log = functools.partial(fc.flow_action_log, args.flow_id, args.flow_scope, run_id, 100)
        return run(log, output, watching=True, done=log_done)
    return result


# -- runs -------------------------------------------------------------------------------------


def _run_operation(method: str, args: argparse.Namespace) -> Result:
    fc = flows_client()
    request = functools.partial(getattr(fc, method), args.flow_id, args.flow_scope, args.action_id)
    return run(request, output_of(args), watching=getattr(args, "watch", False))


def flow_run_log(args: argparse.Namespace) -> Result:
    fc = flows_client()
    request = functools.partial(
        fc.flow_action_log,
        args.flow_id,
        args.flow_scope,
        args.action_id,
        args.limit or 10,
        args.reverse,
        args.marker,
        args.per_page,
    )
    return run(request, output_of(args, LOG_LISTING), watching=args.watch, done=log_done)


def flow_run_resume(args: argparse.Namespace) -> Result:
    fc = flows_client()
    scope = args.flow_scope
    if args.query_for_inactive_reason:
        status = run(
            functools.partial(fc.flow_action_status, args.flow_id, scope, args.action_id),
            output_of(args),
        )
        data = status.data if isinstance(status.data, dict) else {}
        details = data.get("details")
        if (
            data.get("status") == "INACTIVE"
            and isinstance(details, dict)
            and details.get("code") == "ConsentRequired"
            and isinstance(details.get("required_scope"), str)
        ):
            scope = details["required_scope"]
    result = run(
        functools.partial(fc.flow_action_resume, args.flow_id, scope, args.action_id),
        output_of(args),
    )
    if args.watch and not result.failed:
        status_request = functools.partial(
            fc.flow_action_status, args.flow_id, scope, args.action_id
        )
        return run(status_request, output_of(args), watching=True)
    return result


def flow_run_list(args: argparse.Namespace) -> Result:
    role = pick_role(args.roles, RUN_ROLES, OLD_RUN_ROLES)
    fc = flows_client()
    request = functools.partial(
        fc.list_flow_runs,
        flow_id=args.flow_id,
        flow_scope=args.flow_scope,
        statuses=args.statuses,
        role=role,
        marker=args.marker,
        per_page=args.per_page,
        filters=query_options(args.filters, "--filter"),
        orderings=query_options(args.orderings, "--orderby"),
    )
    return run(request, output_of(args, RUN_LISTING), watching=args.watch, done=lambda _: False)


def flow_run_update(args: argparse.Namespace) -> Result:
    tags = None if args.tags is None else [] if args.tags == [""] else args.tags
    fc = flows_client()
    request = functools.partial(
        fc.flow_action_update,
        args.action_id,
        run_managers=principals(args.run_manager),
        run_monitors=principals(args.run_monitor),
        tags=tags,
        label=args.label,
    )
    return run(request, output_of(args))
