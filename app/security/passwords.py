"""Password and PIN hashing with Argon2id (RFC 9106 low-memory profile by default)."""
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

PROFILES = {"default": profiles.RFC_9106_LOW_MEMORY, "fast-for-tests": profiles.CHEAPEST}
_hasher = PasswordHasher.from_parameters(PROFILES["default"])


def use_profile(name: str) -> None:
    """Switch the hashing cost; tests use the cheapest profile to stay fast."""
    global _hasher
    _hasher = PasswordHasher.from_parameters(PROFILES[name])


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def verify_secret(stored_hash: str | None, secret: str) -> bool:
    if not stored_hash:
        return False
    try:
        return _hasher.verify(stored_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
