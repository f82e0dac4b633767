"""The ``globus-automate`` command: ``action``, ``flow`` and ``session`` command groups on
argparse, with the automate CLI's command and option names."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from globus_automate_client.cli import actions, flows, session
from globus_automate_client.cli.auth import DEFAULT_TOKEN_FILE
from globus_automate_client.cli.output import echo
from globus_automate_client.cli.runner import CommandFailed
from globus_sdk.exc import GlobusError


def build_parser() -> argparse.ArgumentParser:
    from globus_automate_client import __version__

    parser = argparse.ArgumentParser(
        prog="globus-automate",
        description="A command-line client for the Globus Flows service. By default, this "
        f"CLI keeps all its config and cached tokens in {DEFAULT_TOKEN_FILE.name} in the "
        "user's home directory.",
    )
    parser.add_argument(
        "-V",
        "--version",
        action="version",
        version=f"globus-automate {__version__}",
        help="Print CLI version number and exit",
    )
    groups = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name, module, text in (
        ("action", actions, "Manage runs (actions)"),
        ("flow", flows, "Manage flows"),
        ("session", session, "Manage your session with the Automate command line client"),
    ):
        group = groups.add_parser(name, help=text, description=text)
        group.set_defaults(group=group)
        module.register(group.add_subparsers(title="commands", metavar="COMMAND"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; 0 on success, 1 when the service refused or failed, 2 for usage."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        (getattr(args, "group", None) or parser).print_help(sys.stderr)
        return 2
    try:
        result = handler(args)
    except CommandFailed as err:
        echo(str(err), err=True)
        return err.status
    except GlobusError as err:  # logging in, or finding a scope, failed before the request
        echo(f"{type(err).__name__}: {err}", err=True)
        return 1
    except KeyboardInterrupt:
        return 130
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main())
