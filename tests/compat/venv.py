"""Build (once) and reuse ``.venv-compat/``: the real globus-sdk and globus-cli from PyPI.

They need a virtualenv of their own because this project installs a module named
``globus_sdk`` too. The venv is made at the repository root and reused while its marker
file names the same requirements; a failed build leaves no marker, so the next run retries.
Concurrent builders (pytest-xdist workers) serialise on a lock file.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# globus-cli 3.2.0 allows click<9, but click>=8.2 changed ParamType.get_metavar() and
# breaks its --help; 8.0.4 is the click of the CLI's release time (early 2022).
REQUIREMENTS = ("globus-sdk==3.2.0", "globus-cli==3.2.0", "click==8.0.4")
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DIR = REPO_ROOT / ".venv-compat"
MARKER = ".compat-requirements"
BUILD_TIMEOUT = 300  # seconds for venv creation plus pip install


class CompatUnavailable(RuntimeError):
    """The compat venv could not be built (PyPI unreachable, no venv module...)."""


def venv_dir() -> Path:
    """``$GLOBUS_LOCAL_COMPAT_VENV`` if set, else ``<repo>/.venv-compat``."""
    return Path(os.environ.get("GLOBUS_LOCAL_COMPAT_VENV") or DEFAULT_DIR)


def _bin(root: Path, name: str) -> Path:
    return root / ("Scripts" if sys.platform == "win32" else "bin") / name


def _marker_text() -> str:
    return "\n".join(REQUIREMENTS) + "\n"


def _lock_path(root: Path) -> Path:
    """Outside the repository (nothing to ignore) and outside the venv (which a build wipes)."""
    digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"globus-local-compat-{digest}.lock"


def _is_ready(root: Path) -> bool:
    marker = root / MARKER
    return (
        _bin(root, "python").exists() and marker.exists() and marker.read_text() == _marker_text()
    )


def _run(cmd: list[str], what: str) -> None:
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=BUILD_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CompatUnavailable(f"{what} failed: {exc}") from exc
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-8:])
        raise CompatUnavailable(f"{what} failed (exit {proc.returncode}):\n{tail}")


def _build(root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
    # The base interpreter, not this project's venv: nothing of ours may leak in.
    base = getattr(sys, "_base_executable", None) or sys.executable
    _run([base, "-m", "venv", str(root)], "creating the compat venv")
    # short network timeouts: without PyPI (a blackholed network) the skip must come fast
    pip = [str(_bin(root, "python")), "-m", "pip", "--disable-pip-version-check"]
    pip += ["--timeout", "20", "--retries", "2"]
    _run([*pip, "install", "--quiet", *REQUIREMENTS], "pip install " + " ".join(REQUIREMENTS))
    (root / MARKER).write_text(_marker_text())


def ensure_compat_venv() -> Path:
    """The compat venv's python, building the venv first if needed.

    Raises :class:`CompatUnavailable` (with pip's last lines) when it cannot be built.
    """
    root = venv_dir()
    if not _is_ready(root):
        root.parent.mkdir(parents=True, exist_ok=True)
        with open(_lock_path(root), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not _is_ready(root):
                _build(root)
    return _bin(root, "python")


def compat_bin(python: Path, name: str) -> Path:
    """A console script (``globus``) installed next to the compat venv's python."""
    return python.parent / name


if __name__ == "__main__":  # `python -m tests.compat.venv`: build it ahead of time
    print(ensure_compat_venv())
