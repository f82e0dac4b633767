"""Random secrets and how each kind is stored.

Passwords are chosen by people, so they get argon2 (slow on purpose). Tokens, codes, client
secrets and cookies are 256-bit random values: a plain sha256 is enough to store them and
keeps the token endpoint and bearer checks fast.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# OWASP's recommended argon2id parameters: strong against offline guessing, yet cheap enough
# that a login, and the tests' user creation, stays quick.
_password_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


def new_secret(nbytes: int = 32) -> str:
    """A URL-safe random string carrying ``nbytes`` bytes (default 256 bits) of entropy."""
    return secrets.token_urlsafe(nbytes)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def matches_hash(value: str, stored_hash: str) -> bool:
    """Constant-time check of a random secret against its stored sha256."""
    return hmac.compare_digest(sha256_hex(value), stored_hash)


def hash_password(password: str) -> str:
    return _password_hasher.hash(password)


def verify_password(password: str, stored_hash: str | None) -> bool:
    if not stored_hash:
        # Spend the same effort as a real check so unknown users are not distinguishable by time.
        _burn(password)
        return False
    try:
        return _password_hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _burn(password: str) -> None:
    try:
        _password_hasher.verify(_DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        pass


_DUMMY_HASH = _password_hasher.hash(secrets.token_urlsafe(16))


def pkce_challenge(verifier: str) -> str:
    """S256: base64url(sha256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii", errors="replace")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
