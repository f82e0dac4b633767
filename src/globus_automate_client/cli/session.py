"""``globus-automate session ...``: who is logged in, and forgetting the cached tokens."""

from __future__ import annotations

import argparse

from globus_automate_client.cli import auth
from globus_automate_client.cli.options import add_output, output_of
from globus_automate_client.cli.output import echo, render
from globus_automate_client.cli.runner import Result


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    whoami = sub.add_parser(
        "whoami",
        help="Determine the identity of the logged-in user.",
        description="Determine the identity of the logged-in user.",
    )
    add_output(whoami)
    whoami.set_defaults(handler=session_whoami)
    logout = sub.add_parser(
        "logout", help="Remove all locally cached Globus Automate authentication information."
    )
    logout.set_defaults(handler=session_logout)
    revoke = sub.add_parser(
        "revoke",
        help="Remove and revoke all locally cached Globus Automate authentication information.",
    )
    revoke.set_defaults(handler=session_revoke)


def session_whoami(args: argparse.Namespace) -> Result:
    user = auth.get_current_user()
    echo(render(user, output_of(args).fmt))
    return Result(user, False)


def session_logout(args: argparse.Namespace) -> Result:
    auth.logout(auth.DEFAULT_TOKEN_FILE)
    echo("Logged Out")
    return Result(None, False)


def session_revoke(args: argparse.Namespace) -> Result:
    auth.revoke_login(auth.DEFAULT_TOKEN_FILE)
    echo("All stored consents have been revoked")
    return Result(None, False)
