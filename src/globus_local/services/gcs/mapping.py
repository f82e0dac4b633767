"""How a Globus identity becomes a storage user on a gateway, and what the gateway's
restricted paths leave of a permission: the rules GCS applies before any file is touched."""

from __future__ import annotations

import grp
import os
import pwd
import re
import typing as t

from sqlalchemy import select
from sqlalchemy.orm import Session

from globus_local.services.gcs.connectors import clean_path
from globus_local.services.gcs.models import StorageGateway, UserCredential

_FIELD = re.compile(r"\{(\w+)\}")


def _identity(session: Session, identity_id: str) -> t.Any:
    from globus_local.services.auth.identities import get_identity

    return get_identity(session, identity_id)


def domain_allowed(gateway: StorageGateway, username: str) -> bool:
    domain = username.rsplit("@", 1)[1].lower() if "@" in username else ""
    allowed = [d.lower() for d in gateway.fields.get("allowed_domains") or []]
    return "*" in allowed or domain in allowed


def _expression_username(mappings: list[dict[str, t.Any]], values: dict[str, str]) -> str | None:
    """The first expression mapping whose ``match`` fits its ``source`` gives ``output``."""
    for mapping in mappings:
        source = _FIELD.sub(lambda m: values.get(m.group(1), ""), str(mapping.get("source", "")))
        flags = re.IGNORECASE if mapping.get("ignore_case") else 0
        pattern = str(mapping.get("match", ""))
        if mapping.get("literal"):
            same = source.lower() == pattern.lower() if flags else source == pattern
            if same:
                return str(mapping.get("output", ""))
            continue
        found = re.fullmatch(pattern, source, flags)
        if found is None:
            continue
        parts = [found.group(0), *found.groups()]
        output = str(mapping["output"])
        for index, part in enumerate(parts):
            output = output.replace(f"{{{index}}}", part or "")
        return output
    return None


def mapped_username(session: Session, gateway: StorageGateway, identity_id: str) -> str | None:
    """The storage username ``identity_id`` acts as on ``gateway``, or None when the
    gateway does not let it in (domain, mapping, users allowed and denied)."""
    identity = _identity(session, identity_id)
    if identity is None or not domain_allowed(gateway, identity.username):
        return None
    credential = session.scalar(
        select(UserCredential).where(
            UserCredential.storage_gateway_id == gateway.id,
            UserCredential.identity_id == identity_id,
        )
    )
    if credential is not None:
        username: str | None = credential.username
    else:
        mappings = [
            m
            for m in gateway.fields.get("identity_mappings") or []
            if str(m.get("DATA_TYPE", "")).startswith("expression_identity_mapping")
            for m in m.get("mappings") or []
        ]
        values = {"username": identity.username, "email": identity.email or "", "id": identity.id}
        username = (
            _expression_username(mappings, values)
            if mappings
            else identity.username.split("@", 1)[0]
        )
    if not username:
        return None
    allow = gateway.fields.get("users_allow") or []
    deny = gateway.fields.get("users_deny") or []
    if (allow and username not in allow) or username in deny:
        return None
    if not groups_permit(gateway.fields.get("policies") or {}, username):
        return None
    return username


def local_groups(username: str) -> set[str]:
    """The names of the host's groups ``username`` belongs to (none for a name that is
    not a user of this host)."""
    try:
        primary = pwd.getpwnam(username).pw_gid
        gids = os.getgrouplist(username, primary)
    except (KeyError, OSError):
        return set()
    names = set()
    for gid in gids:
        try:
            names.add(grp.getgrgid(gid).gr_name)
        except KeyError:
            continue
    return names


def groups_permit(policies: dict[str, t.Any], username: str) -> bool:
    """A POSIX gateway's ``groups_allow``/``groups_deny``: the mapped user must be in one
    allowed group (when any is named) and in no denied one, as the host's group database
    says."""
    allow = set(policies.get("groups_allow") or [])
    deny = set(policies.get("groups_deny") or [])
    if not allow and not deny:
        return True
    groups = local_groups(username)
    return (not allow or bool(groups & allow)) and not groups & deny


_LEVELS = (("none", ""), ("read", "r"), ("read_write", "rw"))


def restricted(restrictions: dict[str, t.Any] | None, gateway_path: str, perms: str) -> str:
    """``perms`` cut down to what the most specific restricted path covering
    ``gateway_path`` allows; a path no restriction names is closed once any is set."""
    if not restrictions or not perms:
        return perms
    path = clean_path(gateway_path)
    best, best_len = "", -1
    for key, level in _LEVELS:
        for raw in restrictions.get(key) or []:
            base = clean_path(str(raw))
            covers = base == "/" or path == base or path.startswith(base + "/")
            if covers and len(base) > best_len:
                best, best_len = level, len(base)
    if best == "r":
        return "r"
    return perms if best == "rw" else ""


def check_restrictions(doc: t.Any, field: str) -> dict[str, t.Any] | None:
    """A path_restrictions document as stored, or None; raises 422 when malformed."""
    from globus_local.services.gcs.errors import invalid_input

    if doc is None:
        return None
    if not isinstance(doc, dict):
        raise invalid_input(f"{field} must be a path_restrictions document", field)
    out: dict[str, t.Any] = {"DATA_TYPE": "path_restrictions#1.0.0"}
    for key, _level in _LEVELS:
        paths = doc.get(key)
        if paths is None:
            continue
        if not isinstance(paths, list) or not all(isinstance(p, str) and p for p in paths):
            raise invalid_input(f"{field}.{key} must be a list of paths", f"{field}.{key}")
        out[key] = [clean_path(p) for p in paths]
    return out
