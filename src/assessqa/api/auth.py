"""API keys: where they come from, how they are stored, and how a presented key is recognised.

Keys come from ``ASSESSQA_API_KEYS`` (comma-separated) or from the file named by ``ASSESSQA_API_KEY_FILE``,
one key a line. A line of the file holds a key, or better its SHA-256 hash, and optionally a name that the
access log shows instead of the key::

    # assessqa API keys: "sha256:<hex> name" (preferred) or "<key> name"
    sha256:<the 64 hex digits python3 -m assessqa.api.auth printed> mosaic-prod
    sha256:<another key's 64 hex digits> liquidlogic-test

Only hashes are kept in memory. An unsalted SHA-256 is enough here because keys are long random strings
(``python3 -m assessqa.api.auth`` makes a 43-character one with 256 random bits), so there is no dictionary to
try them against. A plain key that looks guessable, with fewer than :data:`MIN_KEY_BITS` bits by
:func:`estimated_bits`, is refused at start; a hashed key cannot be judged and is taken as given.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import string
from collections import Counter
import secrets
from dataclasses import dataclass
from pathlib import Path

from assessqa import errors
from assessqa.config import Settings
from assessqa.errors import AuthConfigError as AuthConfigError  # re-exported: callers catch it from here

MIN_KEY_LENGTH = 16
MIN_KEY_BITS = 128
_HASH_LINE = re.compile(r"^sha256:([0-9a-fA-F]{64})$")
_KEY_NAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def hash_key(key: str) -> str:
    """The hex SHA-256 of a key, as stored in a key file after ``sha256:``."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ApiKey:
    """One accepted key: its hash and the name the logs use for it (never the key)."""

    key_id: str
    digest: bytes


class KeyStore:
    """The accepted keys; ``identify`` tells which one a request presented, in constant time.

    Example::

        store = KeyStore.from_settings(Settings(api_keys="k1-0123456789abcdef"))
        store.identify("k1-0123456789abcdef")   # -> "key-1f2e3d4c" (first hash digits)
    """

    def __init__(self, keys: list[ApiKey]) -> None:
        self.keys = keys

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyStore | None:
        """Keys from the settings; ``None`` only when ``insecure_no_auth`` is set and no key is given.

        Raises:
            AuthConfigError: no key is configured (and auth is not turned off), or a key or the file is bad.
        """
        keys: list[ApiKey] = []
        if settings.api_keys is not None:
            for n, raw in enumerate(settings.api_keys.get_secret_value().split(","), start=1):
                if raw.strip():
                    keys.append(_plain_key(raw.strip(), None, f"ASSESSQA_API_KEYS item {n}"))
        if settings.api_key_file is not None:
            keys.extend(_read_key_file(settings.api_key_file))
        if not keys:
            if settings.insecure_no_auth:
                return None
            raise errors.api_key_missing()
        names = [k.key_id for k in keys]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates or len({k.digest for k in keys}) != len(keys):
            raise errors.api_key_duplicate(duplicates)
        return cls(keys)

    def identify(self, presented: str) -> str | None:
        """The id of the key presented, or ``None`` when it is not one of ours."""
        digest = hashlib.sha256(presented.encode("utf-8")).digest()
        found = None
        # Compare against every key, without stopping early, so timing says nothing about which one matched.
        for key in self.keys:
            if hmac.compare_digest(digest, key.digest):
                found = key.key_id
        return found


def _default_id(digest: bytes) -> str:
    # Eight hex digits of the hash tell keys apart in a log without revealing anything usable.
    return "key-" + digest.hex()[:8]


def estimated_bits(key: str) -> int:
    """A deliberately pessimistic estimate of a key's randomness, in bits.

    The smaller of two views: the alphabet view (length times log2 of the character classes used: lower,
    upper, digits, symbols) and the repetition view (length times the Shannon entropy of the key's own
    character frequencies). ``aaaaaaaaaaaaaaaa`` and ``1234567890123456`` score far below 128; the 43-character
    keys ``secrets.token_urlsafe(32)`` makes score about 200.
    """
    if not key:
        return 0
    pool = sum(
        size for chars, size in (
            (string.ascii_lowercase, 26), (string.ascii_uppercase, 26), (string.digits, 10), (string.punctuation, 32)
        ) if any(c in chars for c in key)
    ) or 1
    pool += len({c for c in key if not c.isascii()})
    counts = Counter(key)
    shannon = -sum(n / len(key) * math.log2(n / len(key)) for n in counts.values())
    return int(min(len(key) * math.log2(pool), len(key) * shannon))


def _plain_key(key: str, name: str | None, where: str) -> ApiKey:
    if len(key) < MIN_KEY_LENGTH:
        raise errors.api_key_too_short(where, len(key), MIN_KEY_LENGTH)
    bits = estimated_bits(key)
    if bits < MIN_KEY_BITS:
        raise errors.api_key_weak(where, bits, MIN_KEY_BITS)
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return ApiKey(name or _default_id(digest), digest)


def _read_key_file(path: Path) -> list[ApiKey]:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise errors.key_file_unreadable(str(path), exc.__class__.__name__) from exc
    keys = []
    for n, line in enumerate(lines, start=1):
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        where = f"{path} line {n}"
        if len(fields) > 2 or (len(fields) == 2 and not _KEY_NAME.match(fields[1])):
            raise errors.bad_key_line(where)
        name = fields[1] if len(fields) == 2 else None
        hashed = _HASH_LINE.match(fields[0])
        if hashed:
            digest = bytes.fromhex(hashed.group(1))
            keys.append(ApiKey(name or _default_id(digest), digest))
        elif fields[0].startswith("sha256:"):
            raise errors.bad_key_hash(where)
        else:
            keys.append(_plain_key(fields[0], name, where))
    return keys


def new_key() -> tuple[str, str]:
    """A fresh random key and the line to put in a key file for it (the hash, not the key)."""
    key = secrets.token_urlsafe(32)
    return key, f"sha256:{hash_key(key)}"


if __name__ == "__main__":
    made, line = new_key()
    print(f"key (give it to the client, keep it secret): {made}")
    print(f"key file line (add a name after it):          {line}")
