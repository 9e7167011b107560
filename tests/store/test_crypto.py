"""Field encryption: AES-GCM bound to its row, key rotation, the key file."""

import base64
import os
import secrets
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from cpc_bot.store.crypto import (
    DecryptionError,
    FieldCipher,
    load_or_create_key_file,
    new_key,
    owner_of,
    pad,
    padded_size,
    parse_keys,
    unpad,
)


def test_round_trip_and_binding_to_row() -> None:
    cipher = FieldCipher(parse_keys(new_key()))
    token = cipher.encrypt("My son Jamie is 7", "answers.value_enc:1:worries", "user:5")
    assert "Jamie" not in token
    assert cipher.decrypt(token, "answers.value_enc:1:worries", "user:5") == "My son Jamie is 7"
    # A value copied into another row does not decrypt there.
    with pytest.raises(DecryptionError):
        cipher.decrypt(token, "answers.value_enc:2:worries", "user:5")


def test_rotation_reads_old_values_and_writes_with_the_new_key() -> None:
    old, new = new_key(), new_key()
    before = FieldCipher(parse_keys(old)).encrypt("hello", "c", "user:1")
    rotated = FieldCipher(parse_keys(f"{new},{old}"))
    assert rotated.decrypt(before, "c", "user:1") == "hello"
    assert rotated.key_id_of(rotated.encrypt("hello", "c", "user:1")) == rotated.current_key_id
    with pytest.raises(DecryptionError):
        FieldCipher(parse_keys(new)).decrypt(before, "c", "user:1")


def test_bytes_round_trip() -> None:
    cipher = FieldCipher(parse_keys(new_key()))
    blob = cipher.encrypt_bytes(b"\x89PNG...", "blobs.data_enc:abc", "user:1")
    assert cipher.decrypt_bytes(blob, "blobs.data_enc:abc", "user:1") == b"\x89PNG..."


def test_key_file_is_created_once_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "cpc_bot.key"
    first = load_or_create_key_file(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_or_create_key_file(path) == first


@pytest.mark.parametrize("bad", ["", "not-base64!!", "c2hvcnQ="])
def test_bad_keys_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_keys(bad)


def test_a_value_is_bound_to_its_owner() -> None:
    cipher = FieldCipher(parse_keys(new_key()))
    token = cipher.encrypt("Jamie", "conference_members.name_enc:3", owner_of(7, 2, 9))
    blob = cipher.encrypt_bytes(b"drawing", "blobs.data_enc:ab", owner_of(7))
    assert cipher.decrypt(token, "conference_members.name_enc:3", owner_of(7, 2, 9)) == "Jamie"
    for other in (owner_of(8, 2, 9), owner_of(7, 3, 9), owner_of(7, 2, 10), owner_of(7)):
        with pytest.raises(DecryptionError, match="does not belong to this row"):
            cipher.decrypt(token, "conference_members.name_enc:3", other)
    with pytest.raises(DecryptionError):
        cipher.decrypt_bytes(blob, "blobs.data_enc:ab", owner_of(8))
    assert cipher.key_id_of(blob) == cipher.key_id_of(token) == cipher.current_key_id


@pytest.mark.parametrize("length", [0, 1, 5, 126, 127, 128, 200, 4094, 4095, 4096, 10_000])
def test_padding_is_unambiguous_and_in_size_classes(length: int) -> None:
    for fill in (b"\x00", b"\x80", b"a"):  # data that itself ends like padding
        data = fill * length
        padded = pad(data)
        assert len(padded) == padded_size(length) and unpad(padded) == data
    assert padded_size(length) in (128, 256, 512, 1024, 2048, 4096) or padded_size(length) % 4096 == 0
    with pytest.raises(DecryptionError):
        unpad(bytes(128))


def test_short_answers_give_one_length_and_long_ones_only_a_size_class() -> None:
    cipher = FieldCipher(parse_keys(new_key()))
    short = {len(cipher.encrypt(v, "answers.value_enc:1:q", "user:1")) for v in ('"Yes"', '"No"', '"Not sure"', "7", '["other"]')}
    assert len(short) == 1
    lengths = [len(cipher.encrypt("x" * n, "c", "user:1")) for n in (300, 400, 511, 5000, 8000)]
    assert lengths[0] == lengths[1] == lengths[2] < lengths[3] == lengths[4]  # 512 bytes; 8 KiB


def test_v1_values_from_before_owners_are_still_read() -> None:
    """The format the bot wrote before owners and padding, built here by hand."""
    (key,) = parse_keys(new_key())
    cipher = FieldCipher([key])
    nonce = secrets.token_bytes(12)
    text = f"v1.{cipher.current_key_id}." + base64.urlsafe_b64encode(
        nonce + AESGCM(key).encrypt(nonce, b"Amira", b"answers.value_enc:4:name")).decode()
    blob = cipher.current_key_id.encode() + nonce + AESGCM(key).encrypt(nonce, b"\x89PNG", b"blobs.data_enc:ab")
    assert cipher.decrypt(text, "answers.value_enc:4:name", owner_of(5)) == "Amira"
    assert cipher.decrypt_bytes(blob, "blobs.data_enc:ab", owner_of(5)) == b"\x89PNG"
    assert cipher.key_id_of(blob) == cipher.current_key_id
    with pytest.raises(DecryptionError):  # still bound to its row
        cipher.decrypt(text, "answers.value_enc:5:name", owner_of(5))
