"""OpenID Connect: the signing key, JWKS, discovery document and RS512 id_tokens.

The RSA key is generated on first start and kept in the data directory (mode 0600) so
id_tokens stay verifiable across restarts; it is cached in memory after the first read.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
import time
import typing as t
from dataclasses import dataclass
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from globus_local.config import Settings

ALGORITHM = "RS512"
KEY_FILENAME = "auth-signing-key.pem"


@dataclass(frozen=True)
class SigningKey:
    private_key: rsa.RSAPrivateKey
    kid: str
    jwk: dict[str, str]
    # Derived from the key: signs CSRF form tokens (no second secret file to manage).
    hmac_secret: bytes


_cache: dict[Path, SigningKey] = {}
_lock = threading.Lock()


def _b64uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _write_new_key(path: Path) -> None:
    """Create the key file atomically; if another process wins the race, keep theirs."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)


def signing_key(data_dir: Path) -> SigningKey:
    path = (Path(data_dir) / KEY_FILENAME).resolve()
    cached = _cache.get(path)
    if cached is not None:
        return cached
    with _lock:
        if path not in _cache:
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                _write_new_key(path)
            os.chmod(path, 0o600)
            pem = path.read_bytes()
            key = serialization.load_pem_private_key(pem, password=None)
            if not isinstance(key, rsa.RSAPrivateKey):
                raise RuntimeError(f"{path} does not hold an RSA private key")
            numbers = key.public_key().public_numbers()
            e, n = _b64uint(numbers.e), _b64uint(numbers.n)
            # RFC 7638 thumbprint as the key id.
            thumb = hashlib.sha256(f'{{"e":"{e}","kty":"RSA","n":"{n}"}}'.encode()).digest()
            kid = base64.urlsafe_b64encode(thumb).decode("ascii").rstrip("=")
            jwk = {"alg": ALGORITHM, "e": e, "kty": "RSA", "n": n, "use": "sig", "kid": kid}
            secret = hashlib.sha256(b"globus-local csrf\0" + pem).digest()
            _cache[path] = SigningKey(key, kid, jwk, secret)
        return _cache[path]


def issuer(settings: Settings) -> str:
    return settings.service_url("auth").rstrip("/")


def jwks(settings: Settings) -> dict[str, t.Any]:
    """The key set; the signing key is ``keys[0]`` (SDK 3.2 reads only that one)."""
    return {"keys": [dict(signing_key(settings.data_dir).jwk)]}


def openid_configuration(settings: Settings) -> dict[str, t.Any]:
    base = issuer(settings)
    return {
        "issuer": base,
        "authorization_endpoint": f"{base}/v2/oauth2/authorize",
        "userinfo_endpoint": f"{base}/v2/oauth2/userinfo",
        "token_endpoint": f"{base}/v2/oauth2/token",
        "revocation_endpoint": f"{base}/v2/oauth2/token/revoke",
        "introspection_endpoint": f"{base}/v2/oauth2/token/introspect",
        "jwks_uri": f"{base}/jwk.json",
        "response_types_supported": ["code"],
        "grant_types_supported": [
            "authorization_code",
            "refresh_token",
            "client_credentials",
            "urn:globus:auth:grant_type:dependent_token",
        ],
        "id_token_signing_alg_values_supported": [ALGORITHM],
        "scopes_supported": ["openid", "email", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": [
            "at_hash",
            "aud",
            "email",
            "exp",
            "name",
            "nonce",
            "preferred_username",
            "iat",
            "iss",
            "sub",
        ],
        "subject_types_supported": ["public"],
    }


def at_hash(access_token: str) -> str:
    """Left half of the SHA-512 of the access token (RS512's hash), base64url."""
    digest = hashlib.sha512(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).decode("ascii").rstrip("=")


def make_id_token(
    settings: Settings,
    claims: dict[str, t.Any],
    *,
    audience: str,
    access_token: str | None = None,
    lifetime: int | None = None,
    nonce: str | None = None,
) -> str:
    key = signing_key(settings.data_dir)
    now = int(time.time())
    payload = dict(claims)
    payload.update(
        iss=issuer(settings),
        aud=audience,
        iat=now,
        exp=now + (lifetime or settings.access_token_lifetime),
    )
    if access_token is not None:
        payload["at_hash"] = at_hash(access_token)
    if nonce:
        payload["nonce"] = nonce
    return jwt.encode(
        payload, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid, "typ": "JWT"}
    )
