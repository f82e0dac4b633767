"""Helpers for driving the real SDK/CLI in a subprocess: its environment, and completing a
login it started through the server's own login and consent pages."""

from __future__ import annotations

import os
import subprocess
import typing as t
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

if t.TYPE_CHECKING:
    from globus_local.testing import LocalServer


def read_authorize_url(proc: subprocess.Popen[str], seen: list[str]) -> str:
    """Read the subprocess's stdout up to the line holding the authorize URL."""
    assert proc.stdout is not None
    for line in iter(proc.stdout.readline, ""):
        seen.append(line)
        for word in line.split():
            if "/v2/oauth2/authorize?" in word:
                return word
    raise AssertionError("no authorize URL was printed:\n" + "".join(seen))


def approve(server: LocalServer, authorize_url: str, username: str, password: str) -> str:
    """Log in and consent as ``username``; the authorization code the redirect carries."""
    final = server.login(authorize_url, username, password)
    query = parse_qs(urlsplit(final).query)
    assert "code" in query, f"login did not end with a code: {final}"
    return query["code"][0]


def paste_login_code(
    proc: subprocess.Popen[str],
    server: LocalServer,
    username: str,
    password: str,
    timeout: float,
    first_input: str = "",
) -> tuple[str, str]:
    """Write ``first_input`` to the process, log in at the authorize URL it prints and paste
    the code on its stdin: (that URL, all it printed). The process is not left running."""
    seen: list[str] = []
    try:
        if first_input:
            assert proc.stdin is not None
            proc.stdin.write(first_input)
            proc.stdin.flush()
        url = read_authorize_url(proc, seen)
        code = approve(server, url, username, password)
        rest, _ = proc.communicate(code + "\n", timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return url, "".join(seen) + rest


def compat_env(server: LocalServer, home: Path) -> dict[str, str]:
    """A clean environment for the real SDK/CLI: the server's SDK variables and a private HOME.

    Nothing of this project's interpreter may leak in (PYTHONPATH would put our own
    ``globus_sdk`` first), nor any other Globus configuration of the caller. SSH variables
    go too: with them globus-cli assumes a remote session and never starts its local server.
    """
    drop = ("GLOBUS_", "PYTHON", "VIRTUAL_ENV", "PIP_", "SSH_", "BROWSER")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.update(server.sdk_env())
    env.update(HOME=str(home), PYTHONIOENCODING="utf-8", PYTHONNOUSERSITE="1", COLUMNS="200")
    return env
