"""Password and PIN hashing with Argon2id (RFC 9106 low-memory profile by default)."""
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

PROFILES = {"default": profiles.RFC_9106_LOW_MEMORY, "fast-for-tests": profiles.CHEAPEST}
_hasher = PasswordHasher.from_parameters(PROFILES["default"])
_stand_in_hash: str | None = None  # made on first use, with the profile in force


def use_profile(name: str) -> None:
    """Switch the hashing cost; tests use the cheapest profile to stay fast."""
    global _hasher, _stand_in_hash
    _hasher = PasswordHasher.from_parameters(PROFILES[name])
    _stand_in_hash = None


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


def verify_for_nobody(secret: str) -> bool:
    """Check `secret` against a stand-in hash and answer False: a login for a user or badge that does not
    exist then takes as long as one with a wrong password, so the delay does not tell which exist."""
    global _stand_in_hash
    if _stand_in_hash is None:
        _stand_in_hash = hash_secret("no such user")
    verify_secret(_stand_in_hash, secret)
    return False
