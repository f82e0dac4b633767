"""Who owns the local Globus Connect Personal endpoint, as its gridmap says.

GCP's gridmap maps a certificate subject to a local user, one line each::

    "/C=US/O=Globus Consortium/OU=Globus Connect User/CN=<name>" <local user>

The owner's line is the one with GCP's own subject prefix. Its common name is either a
Globus ID username without the domain, or an identity ID written ``u_<base32 of the
UUID's bytes>`` (lower case, unpadded), as Globus spells IDs where a username goes.
"""

from __future__ import annotations

import base64
import shlex
import uuid

#: the start of the owner's line in a GCP gridmap
GRIDMAP_OWNER_PREFIX = '"/C=US/O=Globus Consortium/OU=Globus Connect User/CN='
#: gridmap usernames are Globus ID usernames without their domain
USERNAME_DOMAIN = "globusid.org"


def _decode_identity_id(common_name: str) -> str | None:
    """The identity ID a ``u_<base32>`` common name encodes, or None if it is a username."""
    encoded = common_name[2:]
    if not common_name.startswith("u_") or len(encoded) != 26:
        return None
    try:
        # 26 base32 characters carry 16 bytes; b32decode wants upper case and padding
        return str(uuid.UUID(bytes=base64.b32decode(encoded.upper() + "======")))
    except ValueError:
        return None


class GlobusConnectPersonalOwnerInfo:
    """Information about the owner of the local Globus Connect Personal endpoint.

    Made by :meth:`LocalGlobusConnectPersonal.get_owner_info`. Exactly one of ``id`` and
    ``username`` is set, the other is None.

    :ivar id: The Globus Auth ID of the endpoint owner
    :ivar username: The Globus Auth Username of the endpoint owner
    :param config_dn: a gridmap line: the quoted DN and the local username
    :raises ValueError: if the line is not a quoted DN followed by one username
    """

    id: str | None
    username: str | None

    def __init__(self, *, config_dn: str) -> None:
        fields = shlex.split(config_dn)  # a ValueError too on unbalanced quotes
        if len(fields) != 2:
            raise ValueError(f"malformed GCP gridmap line (want a DN and a user): {config_dn!r}")
        common_name = fields[0].split("=", 4)[-1]
        self.id = _decode_identity_id(common_name)
        self.username = None if self.id is not None else f"{common_name}@{USERNAME_DOMAIN}"

    def __str__(self) -> str:
        if self.username is not None:
            return f"GlobusConnectPersonalOwnerInfo(username={self.username})"
        return f"GlobusConnectPersonalOwnerInfo(id={self.id})"

    def __repr__(self) -> str:
        if self.username is not None:
            return f"GlobusConnectPersonalOwnerInfo(username={self.username!r})"
        return f"GlobusConnectPersonalOwnerInfo(id={self.id!r})"


def read_gridmap_owner(path: str) -> GlobusConnectPersonalOwnerInfo:
    """The owner named in the gridmap at ``path``.

    :raises ValueError: if no line names an owner, or the owner's line is malformed
    :raises OSError: if the file cannot be read (FileNotFoundError when it is missing)
    """
    with open(path, encoding="utf-8") as gridmap:
        for line in gridmap:
            if line.startswith(GRIDMAP_OWNER_PREFIX):
                return GlobusConnectPersonalOwnerInfo(config_dn=line.strip())
    raise ValueError(f"no Globus Connect Personal owner in {path}")
