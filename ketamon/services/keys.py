"""Signing keys: Ed25519 key pairs whose private half exists only sealed under the user's
password, and the signing and checking of payload bytes.

The sealing key is derived from the password with argon2id (argon2-cffi's raw hash; salt and
parameters recorded with each key), and seals the private key with AES-256-GCM, the owner's
username and public key bound in as associated data. Nothing here reads or writes the
database: the services keep the sealed key in `user_key`.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from ketamon.domain.errors import DomainError


@dataclass(frozen=True)
class KdfParams:
    """argon2id parameters: time cost, memory in KiB, lanes."""

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 4

    def to_text(self) -> str:
        return json.dumps(
            {"alg": "argon2id", "t": self.time_cost, "m": self.memory_kib, "p": self.parallelism},
            sort_keys=True,
        )

    @classmethod
    def from_text(cls, text: str) -> KdfParams:
        data = json.loads(text)
        if data.get("alg") != "argon2id":
            raise DomainError(f"Unknown key derivation {data.get('alg')!r}")
        return cls(int(data["t"]), int(data["m"]), int(data["p"]))


APP_KDF = KdfParams()  # what the application always uses (RFC 9106's second choice)
# Tests only (passed to Clinic.open): cheap, and recorded with each key like any other.
TEST_KDF = KdfParams(time_cost=1, memory_kib=8, parallelism=1)


class KeyLocked(DomainError):
    """The password typed does not open this key."""

    def __init__(self) -> None:
        super().__init__("Your signing key did not open with this password")


@dataclass(frozen=True)
class SealedKey:
    """What `user_key` stores: all hex text but the parameters (JSON)."""

    public_key: str
    sealed_private_key: str
    kdf_salt: str
    aead_nonce: str
    kdf_params: str


def fingerprint(public_key: str) -> str:
    """sha256 of the raw public key, hex: how a key is named on paper and in the trail."""
    return hashlib.sha256(bytes.fromhex(public_key)).hexdigest()


def new_key(username: str, password: str, kdf: KdfParams) -> SealedKey:
    """A fresh key pair for `username`, sealed under `password`."""
    return _seal(username, Ed25519PrivateKey.generate(), password, kdf)


def reseal(username: str, sealed: SealedKey, old: str, new: str, kdf: KdfParams) -> SealedKey:
    """The same key pair sealed under a new password (KeyLocked if `old` does not open it)."""
    return _seal(username, unseal(username, sealed, old), new, kdf)


def unseal(username: str, sealed: SealedKey, password: str) -> Ed25519PrivateKey:
    key = _derive(password, bytes.fromhex(sealed.kdf_salt), KdfParams.from_text(sealed.kdf_params))
    try:
        raw = AESGCM(key).decrypt(
            bytes.fromhex(sealed.aead_nonce),
            bytes.fromhex(sealed.sealed_private_key),
            _associated(username, sealed.public_key),
        )
    except (InvalidTag, ValueError):
        raise KeyLocked() from None
    private = Ed25519PrivateKey.from_private_bytes(raw)
    if _public_hex(private) != sealed.public_key:
        raise KeyLocked()
    return private


def sign(private: Ed25519PrivateKey, payload: bytes) -> str:
    return private.sign(payload).hex()


def public_key_of(private: Ed25519PrivateKey) -> str:
    return _public_hex(private)


def verifies(public_key: str, signature: str, payload: bytes) -> bool:
    """Whether `signature` (hex) is the Ed25519 signature of `payload` under `public_key`."""
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key)).verify(
            bytes.fromhex(signature), payload
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def _seal(username: str, private: Ed25519PrivateKey, password: str, kdf: KdfParams) -> SealedKey:
    salt, nonce = os.urandom(16), os.urandom(12)
    public = _public_hex(private)
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    sealed = AESGCM(_derive(password, salt, kdf)).encrypt(nonce, raw, _associated(username, public))
    return SealedKey(public, sealed.hex(), salt.hex(), nonce.hex(), kdf.to_text())


def _derive(password: str, salt: bytes, kdf: KdfParams) -> bytes:
    return hash_secret_raw(
        password.encode("utf-8"),
        salt,
        time_cost=kdf.time_cost,
        memory_cost=kdf.memory_kib,
        parallelism=kdf.parallelism,
        hash_len=32,
        type=Type.ID,
    )


def _associated(username: str, public_key: str) -> bytes:
    return f"ketamon-signing-key-v1:{username}:{public_key}".encode()


def _public_hex(private: Ed25519PrivateKey) -> str:
    return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
