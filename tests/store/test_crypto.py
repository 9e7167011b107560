"""Field encryption: AES-GCM bound to its row, key rotation, the key file."""

import os
import stat
from pathlib import Path

import pytest

from cpc_bot.store.crypto import (
    DecryptionError,
    FieldCipher,
    load_or_create_key_file,
    new_key,
    parse_keys,
)


def test_round_trip_and_binding_to_row() -> None:
    cipher = FieldCipher(parse_keys(new_key()))
    token = cipher.encrypt("My son Jamie is 7", "answers.value_enc:1:worries")
    assert "Jamie" not in token
    assert cipher.decrypt(token, "answers.value_enc:1:worries") == "My son Jamie is 7"
    # A value copied into another row does not decrypt there.
    with pytest.raises(DecryptionError):
        cipher.decrypt(token, "answers.value_enc:2:worries")


def test_rotation_reads_old_values_and_writes_with_the_new_key() -> None:
    old, new = new_key(), new_key()
    before = FieldCipher(parse_keys(old)).encrypt("hello", "c")
    rotated = FieldCipher(parse_keys(f"{new},{old}"))
    assert rotated.decrypt(before, "c") == "hello"
    assert rotated.key_id_of(rotated.encrypt("hello", "c")) == rotated.current_key_id
    with pytest.raises(DecryptionError):
        FieldCipher(parse_keys(new)).decrypt(before, "c")


def test_bytes_round_trip() -> None:
    cipher = FieldCipher(parse_keys(new_key()))
    blob = cipher.encrypt_bytes(b"\x89PNG...", "blobs.data_enc:abc")
    assert cipher.decrypt_bytes(blob, "blobs.data_enc:abc") == b"\x89PNG..."


def test_key_file_is_created_once_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "cpc_bot.key"
    first = load_or_create_key_file(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_or_create_key_file(path) == first


@pytest.mark.parametrize("bad", ["", "not-base64!!", "c2hvcnQ="])
def test_bad_keys_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_keys(bad)
