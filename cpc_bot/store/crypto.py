"""Field encryption: AES-256-GCM bound to the row it belongs to and to whose it is.

Each value is encrypted with the newest key and the *associated data* names its table, column
and row (``context``) and its owner (``owner``, see :func:`owner_of`), so a ciphertext copied
into another row or column, or a row moved to another person in the database, does not
decrypt; where the bot reads, such a value is treated as missing (:func:`unreadable`). Older keys stay accepted for reading, which is how
keys rotate. The key id is the first 8 hex digits of the key's SHA-256, so no key material leaks.

Formats (``cpc-bot keys rotate`` upgrades v1 to v2):

* v2 text ``v2.<key id>.<nonce+ciphertext, urlsafe base64>``; bytes ``b"v2" + key id + nonce +
  ciphertext``. Associated data: ``["v2", context, owner]`` as JSON. The plaintext is padded to
  a size class first (:func:`pad`), so a "Yes" and a "Not sure" give the same length.
* v1 (before owners and padding) text ``v1.<key id>.<...>``; bytes ``key id + nonce +
  ciphertext``. Associated data: ``context`` alone. Still read, never written.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
import stat
from collections.abc import Callable, Sequence
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

log = logging.getLogger(__name__)

#: The format every new value is written in, and the older one that is still read.
_PREFIX, _V1_PREFIX = "v2", "v1"
_BYTE_PREFIX = b"v2"  # a v1 blob starts with a hex key id, so never with "v"

#: Size classes: every value is padded to the smallest power of two from ``_MIN_SIZE`` up to
#: ``_PAGE``, then to a whole number of ``_PAGE``s. 128 bytes hold any choice, date, number or
#: ticked list the questionnaires have (the longest list is 109 bytes of JSON).
_MIN_SIZE, _PAGE = 128, 4096


class DecryptionError(Exception):
    """The value was not made by any of our keys for this row and owner."""


def padded_size(length: int) -> int:
    """The size class of ``length`` bytes plus the padding's one marker byte."""
    need = length + 1
    if need > _PAGE:
        return -(-need // _PAGE) * _PAGE
    return max(_MIN_SIZE, 1 << (need - 1).bit_length())


def pad(data: bytes) -> bytes:
    """ISO/IEC 7816-4 padding (a 0x80 byte, then zeros) up to the size class: unambiguous for
    any data, zeros at its end included. (``cryptography``'s PKCS7 and ANSI X9.23 pad to one
    block size of at most 255 bytes, not to size classes.)"""
    return data + b"\x80" + bytes(padded_size(len(data)) - len(data) - 1)


def unpad(data: bytes) -> bytes:
    end = len(data.rstrip(b"\x00")) - 1
    if end < 0 or data[end] != 0x80:
        raise DecryptionError("bad padding")
    return data[:end]


def owner_of(user_id: int, conference_id: int | None = None, professional_id: int | None = None) -> str:
    """The ``owner`` a value is bound to: a person's Telegram id; for what belongs to a person
    within a conference, the conference too; for a name given to a professional, them too."""
    owner = f"user:{user_id}"
    if conference_id is not None:
        owner += f"/conference:{conference_id}"
    if professional_id is not None:
        owner += f"/professional:{professional_id}"
    return owner


def unreadable(table: str, row_id: object, error: DecryptionError) -> None:
    """Note a value that failed to decrypt where it is read, by table and primary key only (never
    the value). The caller treats it as missing: nobody is shown it, nothing fails."""
    log.warning("crypto.unreadable table=%s id=%s reason=%s", table, row_id, error)


def _associated(context: str, owner: str) -> bytes:
    return json.dumps([_PREFIX, context, owner]).encode()


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

    def encrypt(self, plaintext: str, context: str, owner: str) -> str:
        """``context`` names the table, column and row; ``owner`` whose value it is."""
        nonce = secrets.token_bytes(12)
        sealed = self._keys[self._current].encrypt(nonce, pad(plaintext.encode()), _associated(context, owner))
        body = base64.urlsafe_b64encode(nonce + sealed).decode()
        return f"{_PREFIX}.{self._current}.{body}"

    def decrypt(self, token: str, context: str, owner: str) -> str:
        try:
            prefix, key_id, body = token.split(".", 2)
        except ValueError:
            raise DecryptionError("not an encrypted field") from None
        aead = self._keys.get(key_id)
        if prefix not in (_PREFIX, _V1_PREFIX) or aead is None:
            raise DecryptionError("encrypted with an unknown key")
        try:
            raw = base64.urlsafe_b64decode(body.encode())
            return self._open(aead, raw[:12], raw[12:], context, owner, v1=prefix == _V1_PREFIX).decode()
        except ValueError:  # malformed base64 or UTF-8 (UnicodeDecodeError is a ValueError)
            raise DecryptionError("not an encrypted field") from None

    def encrypt_bytes(self, data: bytes, context: str, owner: str) -> bytes:
        nonce = secrets.token_bytes(12)
        sealed = self._keys[self._current].encrypt(nonce, pad(data), _associated(context, owner))
        return _BYTE_PREFIX + self._current.encode() + nonce + sealed

    def decrypt_bytes(self, blob: bytes, context: str, owner: str) -> bytes:
        v1 = not blob.startswith(_BYTE_PREFIX)
        if not v1:
            blob = blob[len(_BYTE_PREFIX):]
        key_id, nonce, sealed = blob[:8].decode(errors="replace"), blob[8:20], blob[20:]
        aead = self._keys.get(key_id)
        if aead is None:
            raise DecryptionError("encrypted with an unknown key")
        return self._open(aead, nonce, sealed, context, owner, v1=v1)

    @staticmethod
    def _open(aead: AESGCM, nonce: bytes, sealed: bytes, context: str, owner: str, *, v1: bool) -> bytes:
        if len(nonce) != 12:
            raise DecryptionError("not an encrypted field")
        try:
            if v1:  # made before owners and padding: bound to the row only, until rotated
                return aead.decrypt(nonce, sealed, context.encode())
            return unpad(aead.decrypt(nonce, sealed, _associated(context, owner)))
        except InvalidTag:
            raise DecryptionError("value does not belong to this row") from None

    def derived_key(self, purpose: str) -> bytes:
        """A key for keyed hashes (HMAC), derived from the newest key and never stored. It changes
        when keys rotate, so it suits short-lived values only (mailed codes, daily caps)."""
        return hmac.new(self._newest, f"cpc-derived:{purpose}".encode(), hashlib.sha256).digest()

    def key_id_of(self, token: str | bytes) -> str:
        """Which key made this value (for rotation)."""
        if isinstance(token, bytes):
            start = len(_BYTE_PREFIX) if token.startswith(_BYTE_PREFIX) else 0
            return token[start:start + 8].decode()
        return token.split(".", 2)[1]
