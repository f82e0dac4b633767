"""HTTP routes of the Groups API v2 (mounted under ``/groups``)."""

from __future__ import annotations

import typing as t

from fastapi import Body, Depends, Query

from globus_local.kit.params import parse_csv_values
from globus_local.kit.router import ServiceRouter
from globus_local.kit.session import DbSession
from globus_local.kit.tokens import AuthContext, require_token
from globus_local.services.auth.scopes import GROUPS_ALL, GROUPS_RS, GROUPS_VIEW
from globus_local.services.groups import logic
from globus_local.services.groups.access import Caller, load_group
from globus_local.services.groups.actions import apply_batch

router = ServiceRouter(prefix="/v2")

# Reading needs either Groups scope; changing anything needs the full one.
_read = require_token(GROUPS_RS, GROUPS_ALL, GROUPS_VIEW)
_write = require_token(GROUPS_RS, GROUPS_ALL)
ReadAuth = t.Annotated[AuthContext, Depends(_read)]
WriteAuth = t.Annotated[AuthContext, Depends(_write)]
ListQuery = t.Annotated[list[str] | None, Query()]
AnyBody = t.Annotated[t.Any, Body()]


def caller(ctx: AuthContext) -> Caller:
    return Caller(
        identity_id=ctx.identity_id,
        username=ctx.username,
        identity_set=frozenset(ctx.identity_set) | {ctx.identity_id},
    )


@router.get("/groups/my_groups")
def get_my_groups(db: DbSession, ctx: ReadAuth, statuses: ListQuery = None) -> list[t.Any]:
    return logic.my_groups(db, caller(ctx), parse_csv_values(statuses))


@router.get("/groups/statuses")
def get_statuses(db: DbSession, ctx: ReadAuth) -> dict[str, t.Any]:
    return logic.status_counts(db, caller(ctx))


@router.post("/groups", status_code=201)
def create_group(db: DbSession, ctx: WriteAuth, body: AnyBody = None) -> dict[str, t.Any]:
    return logic.create_group(db, caller(ctx), body)


@router.get("/groups/{group_id}")
def get_group(
    group_id: str, db: DbSession, ctx: ReadAuth, include: ListQuery = None
) -> dict[str, t.Any]:
    includes = logic.parse_includes(include)
    return logic.render_group(db, load_group(db, group_id, caller(ctx)), includes)


@router.put("/groups/{group_id}")
def update_group(
    group_id: str, db: DbSession, ctx: WriteAuth, body: AnyBody = None
) -> dict[str, t.Any]:
    return logic.update_group(db, load_group(db, group_id, caller(ctx)), body)


@router.post("/groups/{group_id}")
def batch_membership_action(
    group_id: str, db: DbSession, ctx: WriteAuth, body: AnyBody = None
) -> dict[str, t.Any]:
    return apply_batch(db, load_group(db, group_id, caller(ctx)), body)


@router.delete("/groups/{group_id}")
def delete_group(group_id: str, db: DbSession, ctx: WriteAuth) -> dict[str, t.Any]:
    return logic.delete_group(db, load_group(db, group_id, caller(ctx)))


@router.get("/groups/{group_id}/children")
def get_children(
    group_id: str, db: DbSession, ctx: ReadAuth, include: ListQuery = None
) -> dict[str, t.Any]:
    includes = logic.parse_includes(include)
    return logic.children(db, load_group(db, group_id, caller(ctx)), includes)


@router.get("/groups/{group_id}/policies")
def get_policies(group_id: str, db: DbSession, ctx: ReadAuth) -> dict[str, t.Any]:
    return logic.get_policies(load_group(db, group_id, caller(ctx)))


@router.put("/groups/{group_id}/policies")
def set_policies(
    group_id: str, db: DbSession, ctx: WriteAuth, body: AnyBody = None
) -> dict[str, t.Any]:
    return logic.set_policies(db, load_group(db, group_id, caller(ctx)), body)


@router.get("/groups/{group_id}/membership_fields")
def get_membership_fields(group_id: str, db: DbSession, ctx: ReadAuth) -> dict[str, t.Any]:
    return logic.get_membership_fields(load_group(db, group_id, caller(ctx)))


@router.put("/groups/{group_id}/membership_fields")
def set_membership_fields(
    group_id: str, db: DbSession, ctx: WriteAuth, body: AnyBody = None
) -> dict[str, t.Any]:
    return logic.set_membership_fields(db, load_group(db, group_id, caller(ctx)), body)


@router.get("/preferences")
def get_identity_preferences(db: DbSession, ctx: ReadAuth) -> dict[str, t.Any]:
    return logic.get_preferences(db, caller(ctx))


@router.put("/preferences")
def set_identity_preferences(
    db: DbSession, ctx: WriteAuth, body: AnyBody = None
) -> dict[str, t.Any]:
    return logic.set_preferences(db, caller(ctx), body)
