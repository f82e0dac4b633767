"""Build (once) and reuse the compat venvs: real globus-sdk and globus-cli releases from PyPI.

They need virtualenvs of their own because this project installs a module named
``globus_sdk`` too. Each named venv (:data:`VENVS`) lives in ``.venv-compat/<name>/`` at
the repository root and is reused while its marker file names the same requirements; a
failed build leaves no marker, so the next run retries. Concurrent builders (pytest-xdist
workers) serialise on one lock file per venv.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import typing as t
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DIR = REPO_ROOT / ".venv-compat"
MARKER = ".compat-requirements"
BUILD_TIMEOUT = 300  # seconds for venv creation plus pip install


@dataclass(frozen=True)
class CompatVenv:
    """One venv: its name (the folder under the compat dir), its pip requirements and the
    constraints of the build environments of any requirement pip must build from source."""

    name: str
    requirements: tuple[str, ...]
    build_constraints: tuple[str, ...] = ()


# globus-cli 3.2.0 allows click<9, but click>=8.2 changed ParamType.get_metavar() and
# breaks its --help; 8.0.4 is the click of the CLI's release time.
CLI_3_2 = CompatVenv("cli-3.2", ("globus-sdk==3.2.0", "globus-cli==3.2.0", "click==8.0.4"))
# The newest SDK alone: the newest CLI pins an older 4.x SDK, so they cannot share a venv.
SDK_4_10 = CompatVenv("sdk-4.10", ("globus-sdk==4.10.0",))
# The newest CLI with the SDK it pins.
CLI_3_44 = CompatVenv("cli-3.44", ("globus-cli==3.44.0", "globus-sdk==4.9.0"))
# The last 3.x SDK.
SDK_3_66 = CompatVenv("sdk-3.66", ("globus-sdk==3.66.0",))
# The real Action Provider tools with the web framework they build a provider on.
APT = CompatVenv("apt", ("globus-action-provider-tools[flask]==0.21.0",))
# The real automate client, yanked from PyPI ("Project is EOL") but installable by exact pin.
# It wants PyYAML<6, whose 5.4.1 has no wheel for this Python and does not build with
# Cython 3; its typer 0.4 breaks on click>=8.2 ("Secondary flag is not valid for non-boolean
# flag"). globus-sdk and click are those of each release's time; 0.15.0 imports
# typing_extensions without requiring it.
_AUTOMATE_BUILD = ("cython<3",)
AUTOMATE_0_16 = CompatVenv(
    "automate-0.16",
    ("globus-automate-client==0.16.1", "globus-sdk==3.11.0", "click==8.1.3"),
    _AUTOMATE_BUILD,
)
AUTOMATE_0_15 = CompatVenv(
    "automate-0.15",
    (
        "globus-automate-client==0.15.0",
        "globus-sdk==3.9.0",
        "click==8.1.3",
        "typing-extensions==4.3.0",
    ),
    _AUTOMATE_BUILD,
)
VENVS = {
    venv.name: venv
    for venv in (CLI_3_2, SDK_4_10, CLI_3_44, SDK_3_66, APT, AUTOMATE_0_16, AUTOMATE_0_15)
}


class CompatUnavailable(RuntimeError):
    """A compat venv could not be built (PyPI unreachable, no venv module...)."""


def compat_dir() -> Path:
    """``$GLOBUS_LOCAL_COMPAT_VENV`` if set, else ``<repo>/.venv-compat``: the folder
    holding every compat venv."""
    return Path(os.environ.get("GLOBUS_LOCAL_COMPAT_VENV") or DEFAULT_DIR)


def venv_dir(venv: CompatVenv) -> Path:
    return compat_dir() / venv.name


def _bin(root: Path, name: str) -> Path:
    return root / ("Scripts" if sys.platform == "win32" else "bin") / name


def _marker_text(venv: CompatVenv) -> str:
    return "\n".join(venv.requirements + venv.build_constraints) + "\n"


def _lock_path(root: Path) -> Path:
    """Outside the repository (nothing to ignore) and outside the venv (which a build wipes)."""
    digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"globus-local-compat-{digest}.lock"


def _is_ready(root: Path, venv: CompatVenv) -> bool:
    marker = root / MARKER
    return (
        _bin(root, "python").exists()
        and marker.exists()
        and marker.read_text() == _marker_text(venv)
    )


def _run(cmd: list[str], what: str, env: dict[str, str] | None = None) -> None:
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=BUILD_TIMEOUT, check=False, env=env
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CompatUnavailable(f"{what} failed: {exc}") from exc
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-8:])
        raise CompatUnavailable(f"{what} failed (exit {proc.returncode}):\n{tail}")


def _build(root: Path, venv: CompatVenv) -> None:
    shutil.rmtree(root, ignore_errors=True)
    # The base interpreter, not this project's venv: nothing of ours may leak in.
    base = getattr(sys, "_base_executable", None) or sys.executable
    _run([base, "-m", "venv", str(root)], f"creating the compat venv {venv.name}")
    # short network timeouts: without PyPI (a blackholed network) the skip must come fast
    pip = [str(_bin(root, "python")), "-m", "pip", "--disable-pip-version-check"]
    pip += ["--timeout", "20", "--retries", "2"]
    env = None
    if venv.build_constraints:
        # PIP_CONSTRAINT reaches the isolated build environments too; a -c option would not.
        constraints = root / "build-constraints.txt"
        constraints.write_text("\n".join(venv.build_constraints) + "\n")
        env = {**os.environ, "PIP_CONSTRAINT": str(constraints)}
    _run(
        [*pip, "install", "--quiet", *venv.requirements],
        "pip install " + " ".join(venv.requirements),
        env,
    )
    (root / MARKER).write_text(_marker_text(venv))


def ensure_compat_venv(venv: CompatVenv = CLI_3_2) -> Path:
    """The venv's python, building the venv first if needed.

    Raises :class:`CompatUnavailable` (with pip's last lines) when it cannot be built.
    """
    root = venv_dir(venv)
    if not _is_ready(root, venv):
        root.parent.mkdir(parents=True, exist_ok=True)
        with open(_lock_path(root), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not _is_ready(root, venv):
                _build(root, venv)
    return _bin(root, "python")


def build_in_background(venvs: t.Iterable[CompatVenv] = VENVS.values()) -> list[threading.Thread]:
    """Start building every venv not ready yet, each in its own thread, so their pip
    installs overlap (and overlap the tests that run first) instead of each waiting for the
    first test that needs it. A fixture asking for a venv waits on its lock; a failed build
    here is tried again, and reported, by that fixture."""

    def build(venv: CompatVenv) -> None:
        try:
            ensure_compat_venv(venv)
        except CompatUnavailable:
            pass

    threads = [
        threading.Thread(target=build, args=(v,), name=f"compat-{v.name}", daemon=True)
        for v in venvs
        if not _is_ready(venv_dir(v), v)
    ]
    for thread in threads:
        thread.start()
    return threads


def compat_bin(python: Path, name: str) -> Path:
    """A console script (``globus``) installed next to a compat venv's python."""
    return python.parent / name


if __name__ == "__main__":  # `python -m tests.compat.venv [NAME...]`: build ahead of time
    for name in sys.argv[1:] or list(VENVS):
        print(name, ensure_compat_venv(VENVS[name]))
