"""Field encryption: AES-256-GCM bound to the row it belongs to.

Each value is encrypted with the newest key and the *associated data* names its
table, column and row, so a ciphertext copied into another row (or column) does
not decrypt. Older keys stay accepted for reading, which is how keys rotate.
Token format: ``v1.<key id>.<nonce+ciphertext, urlsafe base64>``; the key id is
the first 8 hex digits of the key's SHA-256, so no key material leaks.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import stat
from collections.abc import Callable, Sequence
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_PREFIX = "v1"


class DecryptionError(Exception):
    """The value was not made by any of our keys for this row."""


def _key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def new_key() -> str:
    """A fresh key, url-safe base64 (what ``CPC_ENCRYPTION_KEYS`` and the key file hold)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def parse_keys(text: str) -> list[bytes]:
    """Keys from a comma or newline separated list, newest first."""
    keys = []
    for part in text.replace("\n", ",").split(","):
        part = part.strip()
        if not part:
            continue
        raw = base64.urlsafe_b64decode(part.encode())
        if len(raw) != 32:
            raise ValueError("each encryption key must be 32 bytes, url-safe base64")
        keys.append(raw)
    if not keys:
        raise ValueError("no encryption key given")
    return keys


class KeyFileError(ValueError):
    """The key file cannot be used as it is; the message is one line saying what to do."""


def read_key_file(path: Path) -> list[bytes]:
    """The keys in ``path``, refused when anyone but its owner may read or change it: whoever
    reads the key reads every answer in the database."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise KeyFileError(f"{path} can be read or changed by other users (mode {mode:o}); run: chmod 600 {path}")
    return parse_keys(path.read_text())


def load_or_create_key_file(path: Path, *, has_encrypted_data: Callable[[], bool] = lambda: False) -> list[bytes]:
    """Read the key file, creating it once with owner-only permissions.

    A missing file gets a new key only while the database holds nothing encrypted
    (``has_encrypted_data``, asked only then): a new key over old data would leave every answer
    unreadable and then mix values under two keys, so start-up stops and says how to restore it."""
    if not path.exists():
        if has_encrypted_data():
            raise KeyFileError(
                f"{path} is missing but the database holds encrypted answers that only the old key can read; "
                f"restore the key file from your backup (chmod 600 {path}) or give the keys in CPC_ENCRYPTION_KEYS"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting together never overwrite each other's key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(new_key() + "\n")
    return read_key_file(path)


class FieldCipher:
    """Encrypts and decrypts single fields; the first key encrypts, all keys decrypt."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ValueError("FieldCipher needs at least one key")
        self._keys = {_key_id(k): AESGCM(k) for k in keys}
        self._current = _key_id(keys[0])
        self._newest = bytes(keys[0])

    @property
    def current_key_id(self) -> str:
        return self._current

    def encrypt(self, plaintext: str, context: str) -> str:
        nonce = secrets.token_bytes(12)
        sealed = self._keys[self._current].encrypt(nonce, plaintext.encode(), context.encode())
        body = base64.urlsafe_b64encode(nonce + sealed).decode()
        return f"{_PREFIX}.{self._current}.{body}"

    def decrypt(self, token: str, context: str) -> str:
        try:
            prefix, key_id, body = token.split(".", 2)
        except ValueError:
            raise DecryptionError("not an encrypted field") from None
        aead = self._keys.get(key_id)
        if prefix != _PREFIX or aead is None:
            raise DecryptionError("encrypted with an unknown key")
        raw = base64.urlsafe_b64decode(body.encode())
        try:
            return aead.decrypt(raw[:12], raw[12:], context.encode()).decode()
        except InvalidTag:
            raise DecryptionError("value does not belong to this row") from None

    def encrypt_bytes(self, data: bytes, context: str) -> bytes:
        nonce = secrets.token_bytes(12)
        sealed = self._keys[self._current].encrypt(nonce, data, context.encode())
        return self._current.encode() + nonce + sealed

    def decrypt_bytes(self, blob: bytes, context: str) -> bytes:
        key_id, nonce, sealed = blob[:8].decode(), blob[8:20], blob[20:]
        aead = self._keys.get(key_id)
        if aead is None:
            raise DecryptionError("encrypted with an unknown key")
        try:
            return aead.decrypt(nonce, sealed, context.encode())
        except InvalidTag:
            raise DecryptionError("value does not belong to this row") from None

    def derived_key(self, purpose: str) -> bytes:
        """A key for keyed hashes (HMAC), derived from the newest key and never stored. It changes
        when keys rotate, so it suits short-lived values only (mailed codes, daily caps)."""
        return hmac.new(self._newest, f"cpc-derived:{purpose}".encode(), hashlib.sha256).digest()

    def key_id_of(self, token: str | bytes) -> str:
        """Which key made this value (for rotation)."""
        if isinstance(token, bytes):
            return token[:8].decode()
        return token.split(".", 2)[1]
