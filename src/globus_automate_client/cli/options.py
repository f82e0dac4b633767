"""argparse pieces the commands share: output options, bounded integers, principals and
``key=value`` query options."""

from __future__ import annotations

import argparse
import re
import typing as t
import uuid
from collections.abc import Iterable

from globus_automate_client.cli.runner import CommandFailed, Output

URN_PREFIXES = ("urn:globus:auth:identity:", "urn:globus:groups:id:")
_USERNAME = re.compile(r"^[^@\s]+@[^@\s]+$")


def add_output(
    parser: argparse.ArgumentParser,
    formats: Iterable[str] = ("json", "yaml"),
    default: str | None = "json",
) -> None:
    """``-v/--verbose`` and ``-f/--format``."""
    parser.add_argument("-v", "--verbose", action="store_true", help="Run with increased verbosity")
    shown = f" [default: {default}]" if default else ""
    parser.add_argument(
        "-f",
        "--format",
        dest="format",
        type=str.lower,
        choices=list(formats),
        default=default,
        help=f"Output display format.{shown}",
    )


def output_of(args: argparse.Namespace, listing: t.Any = None) -> Output:
    return Output(fmt=args.format or "json", verbose=args.verbose, listing=listing)


def bounded_int(low: int, high: int) -> t.Callable[[str], int]:
    """An argparse type for an integer in [low, high]."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a valid integer")
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not in the range {low}<=x<={high}")
        return value

    return parse


def uuid_text(text: str) -> str:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a valid UUID")


def query_options(values: list[str] | None, option: str) -> dict[str, str]:
    """``key=value`` options as a dict, in the order given."""
    parsed: dict[str, str] = {}
    for value in values or []:
        key, sep, rest = value.partition("=")
        if not sep or not key:
            raise CommandFailed(f"{option} takes key=value, not {value!r}", status=2)
        parsed[key.strip()] = rest.strip()
    return parsed


def principals(values: list[str] | None, *specials: str) -> list[str] | None:
    """Principal URNs from URNs, the allowed special values, or Globus usernames (looked up
    in Globus Auth with the logged-in user's token). An empty string alone is an empty list."""
    if values is None:
        return None
    if values == [""]:
        return []
    urns: list[str] = []
    usernames: list[str] = []
    for value in values:
        if value.startswith(URN_PREFIXES) or value in specials:
            urns.append(value)
        elif _USERNAME.match(value):
            usernames.append(value)
        else:
            allowed = ", ".join(["a URN", "a Globus username", *(repr(s) for s in specials)])
            raise CommandFailed(f"{value!r} is not a principal ({allowed})", status=2)
    if usernames:
        urns.extend(_lookup_usernames(usernames))
    return urns


def _lookup_usernames(usernames: list[str]) -> list[str]:
    from globus_automate_client.cli.auth import get_authorizers_for_scopes
    from globus_sdk.services.auth import AuthClient

    authorizer = get_authorizers_for_scopes(["openid"]).get("openid")
    found = AuthClient(authorizer=authorizer).get_identities(usernames=usernames).data
    by_name = {i["username"]: i["id"] for i in (found or {}).get("identities", [])}
    missing = [u for u in usernames if u not in by_name]
    if missing:
        raise CommandFailed(f"No Globus identity for {', '.join(missing)}", status=2)
    return [f"urn:globus:auth:identity:{by_name[u]}" for u in usernames]


def pick_role(
    values: list[str] | None, precedence: list[str], renamed: dict[str, str]
) -> str | None:
    """The one role a listing filters on: an old name becomes its new one, and of several
    roles (an old usage) the least privileged wins, as it includes the others."""
    if not values:
        return None
    roles = [renamed.get(v, v) for v in values]
    return min(roles, key=precedence.index)
