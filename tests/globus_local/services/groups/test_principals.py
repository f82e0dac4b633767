"""Group membership as a principal for other services."""

from __future__ import annotations

from globus_local.services.groups.principals import group_ids_for_identity, principal_urns_for
from globus_local.testing import LocalServer

from .support import GroupsUser, MakeUser


def test_principal_urns_follow_active_memberships(
    platform_server: LocalServer, admin: GroupsUser, group_id: str, make_user: MakeUser
) -> None:
    user = make_user("user")
    other_group = admin.manager.create_group("other", "")["id"]
    admin.manager.invite_member(other_group, user.id)  # invited: not (yet) a principal
    with platform_server.db.session() as session:
        assert group_ids_for_identity(session, user.id) == set()
        assert principal_urns_for(session, {user.id}) == {f"urn:globus:auth:identity:{user.id}"}

    admin.manager.add_member(group_id, user.id)
    with platform_server.db.session() as session:
        assert group_ids_for_identity(session, user.id) == {group_id}
        assert principal_urns_for(session, [user.id, admin.id]) == {
            f"urn:globus:auth:identity:{user.id}",
            f"urn:globus:auth:identity:{admin.id}",
            f"urn:globus:groups:id:{group_id}",
            f"urn:globus:groups:id:{other_group}",
        }

    user.manager.leave(group_id, user.id)
    with platform_server.db.session() as session:
        assert group_ids_for_identity(session, user.id) == set()
        assert f"urn:globus:groups:id:{group_id}" not in principal_urns_for(session, [user.id])
        assert principal_urns_for(session, []) == set()
