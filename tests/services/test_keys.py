"""Signing keys without a database: sealed under the password (argon2id + AES-GCM), opened
only by it, bound to their owner, re-sealed on a password change; signatures verify only
with the right public key over the exact bytes."""

from __future__ import annotations

import json

import pytest

from ketamon.services import keys

pytestmark = pytest.mark.both_backends

CHEAP = keys.TEST_KDF


def test_a_sealed_key_opens_only_with_its_password_and_owner():
    sealed = keys.new_key("dr.patel", "correct horse battery", CHEAP)
    private = keys.unseal("dr.patel", sealed, "correct horse battery")
    assert keys.public_key_of(private) == sealed.public_key
    assert len(bytes.fromhex(sealed.public_key)) == 32
    with pytest.raises(keys.KeyLocked):
        keys.unseal("dr.patel", sealed, "wrong password 1")
    with pytest.raises(keys.KeyLocked):  # copied to another user's row: refused
        keys.unseal("nurse.jo", sealed, "correct horse battery")


def test_the_parameters_are_recorded_with_each_key_and_used_to_open_it():
    sealed = keys.new_key("dr.patel", "correct horse battery", CHEAP)
    assert json.loads(sealed.kdf_params) == {"alg": "argon2id", "m": 8, "p": 1, "t": 1}
    assert keys.APP_KDF.memory_kib >= 65536 and keys.APP_KDF.time_cost >= 3  # never cheap
    cheaper = keys.KdfParams(time_cost=2, memory_kib=16, parallelism=1)
    other = keys.reseal("dr.patel", sealed, "correct horse battery", "another password", cheaper)
    assert json.loads(other.kdf_params)["m"] == 16
    assert keys.unseal("dr.patel", other, "another password")


def test_a_reseal_keeps_the_key_pair_and_changes_salt_nonce_and_ciphertext():
    sealed = keys.new_key("dr.patel", "correct horse battery", CHEAP)
    again = keys.reseal("dr.patel", sealed, "correct horse battery", "a new password", CHEAP)
    assert again.public_key == sealed.public_key
    assert again.kdf_salt != sealed.kdf_salt and again.aead_nonce != sealed.aead_nonce
    assert again.sealed_private_key != sealed.sealed_private_key
    with pytest.raises(keys.KeyLocked):
        keys.unseal("dr.patel", again, "correct horse battery")
    with pytest.raises(keys.KeyLocked):
        keys.reseal("dr.patel", sealed, "not the password", "x" * 12, CHEAP)


def test_a_tampered_ciphertext_does_not_open():
    sealed = keys.new_key("dr.patel", "correct horse battery", CHEAP)
    flipped = format(int(sealed.sealed_private_key[:2], 16) ^ 1, "02x")
    broken = keys.SealedKey(
        sealed.public_key,
        flipped + sealed.sealed_private_key[2:],
        sealed.kdf_salt,
        sealed.aead_nonce,
        sealed.kdf_params,
    )
    with pytest.raises(keys.KeyLocked):
        keys.unseal("dr.patel", broken, "correct horse battery")


def test_a_signature_verifies_only_with_its_key_over_the_same_bytes():
    sealed = keys.new_key("dr.patel", "correct horse battery", CHEAP)
    other = keys.new_key("attacker", "attacker pass 1", CHEAP)
    signature = keys.sign(keys.unseal("dr.patel", sealed, "correct horse battery"), b"payload")
    assert keys.verifies(sealed.public_key, signature, b"payload")
    assert not keys.verifies(sealed.public_key, signature, b"payload.")
    assert not keys.verifies(other.public_key, signature, b"payload")
    assert not keys.verifies(sealed.public_key, "00" * 64, b"payload")
    assert not keys.verifies(sealed.public_key, "not hex", b"payload")
    assert keys.fingerprint(sealed.public_key) != keys.fingerprint(other.public_key)
