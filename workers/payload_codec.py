"""The encryption of Temporal payloads, the same as the TypeScript workers' (src/temporal/payload-codec.ts,
src/temporal/payload-keys.ts): without it this worker could not read the pipeline workflows' activity
inputs, nor write results they can read.

WAYMARK_TEMPORAL_PAYLOAD_KEYS = "id:base64 key,id:base64 key": the first key encrypts, every key listed
decrypts (a rotation puts the new key first and keeps the old ones while runs that used them are open).
Empty or unset: payloads in clear. An encrypted payload: metadata encoding "binary/encrypted",
encryption-key-id (the key's id), encryption-cipher "AES-256-GCM"; data = a 12-byte nonce, then the
AES-256-GCM ciphertext of the original payload (its temporal.api.common.v1.Payload protobuf bytes) with
the key id as additional authenticated data, then the 16-byte tag. No message here shows a key.
"""
from __future__ import annotations

import base64
import binascii
import dataclasses
import os
import re
from typing import Mapping, NamedTuple, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes, PayloadCodec

VARIABLE = 'WAYMARK_TEMPORAL_PAYLOAD_KEYS'
ENCRYPTED_ENCODING = b'binary/encrypted'
KEY_ID_METADATA = 'encryption-key-id'
CIPHER_METADATA = 'encryption-cipher'
CIPHER = b'AES-256-GCM'
NONCE_BYTES = 12
TAG_BYTES = 16

_KEY_ID = re.compile(r'^[A-Za-z0-9._-]{1,64}$')
_BASE64 = re.compile(r'^[A-Za-z0-9+/]+={0,2}$')


class PayloadKey(NamedTuple):
    id: str
    key: bytes


class PayloadKeysError(ValueError):
    """WAYMARK_TEMPORAL_PAYLOAD_KEYS cannot be read (the message names the entry, never its key)."""


class PayloadDecryptError(Exception):
    """A payload this process cannot decrypt: its key is not listed, or the data does not authenticate."""


def parse_payload_keys(text: str) -> list[PayloadKey]:
    """The keys of WAYMARK_TEMPORAL_PAYLOAD_KEYS, in order; the same rules as src/temporal/payload-keys.ts."""
    entries = [e.strip() for e in text.split(',') if e.strip()]
    keys: list[PayloadKey] = []
    problems: list[str] = []
    for n, entry in enumerate(entries, start=1):
        key_id, colon, encoded = entry.partition(':')
        if not colon or not _KEY_ID.match(key_id) or not _BASE64.match(encoded):
            problems.append(f'entry {n} must be "key id:base64 key" (an id of letters, digits, ".", "_" or "-"; '
                            'make a key with: openssl rand -base64 32)')
            continue
        try:
            # Padding as Node's Buffer.from(_, 'base64') takes it: optional.
            key = base64.b64decode(encoded.rstrip('=') + '=' * (-len(encoded.rstrip('=')) % 4), validate=True)
        except (binascii.Error, ValueError):
            key = b''
        if len(key) != 32:
            problems.append(f'entry {n} (key id "{key_id}") is {len(key)} bytes; AES-256 needs 32 (openssl rand -base64 32)')
        elif any(k.id == key_id for k in keys):
            problems.append(f'entry {n} repeats the key id "{key_id}": each key needs an id of its own')
        else:
            keys.append(PayloadKey(key_id, key))
    if problems:
        raise PayloadKeysError(f'{VARIABLE}: ' + '; '.join(problems))
    return keys


class AesGcmPayloadCodec(PayloadCodec):
    """Encrypts every payload with the first key; decrypts with the key its metadata names (payloads in clear pass through)."""

    def __init__(self, keys: Sequence[PayloadKey]) -> None:
        if not keys:
            raise ValueError(f'AesGcmPayloadCodec needs at least one key ({VARIABLE})')
        self.keys = list(keys)
        self.by_id = {k.id: AESGCM(k.key) for k in keys}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        key_id = self.keys[0].id
        aead = self.by_id[key_id]
        encoded: list[Payload] = []
        for payload in payloads:
            nonce = os.urandom(NONCE_BYTES)
            # AESGCM.encrypt returns the ciphertext followed by the 16-byte tag, as the TypeScript codec writes them.
            sealed = aead.encrypt(nonce, payload.SerializeToString(), key_id.encode())
            encoded.append(Payload(
                metadata={'encoding': ENCRYPTED_ENCODING, KEY_ID_METADATA: key_id.encode(), CIPHER_METADATA: CIPHER},
                data=nonce + sealed,
            ))
        return encoded

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._decode(p) for p in payloads]

    def _decode(self, payload: Payload) -> Payload:
        if payload.metadata.get('encoding') != ENCRYPTED_ENCODING:
            return payload
        key_id = payload.metadata.get(KEY_ID_METADATA, b'').decode('utf-8', errors='replace')
        aead = self.by_id.get(key_id)
        if aead is None:
            raise PayloadDecryptError(f'a payload is encrypted with key id "{key_id}", which {VARIABLE} does not list '
                                      f'(known: {", ".join(self.by_id)}): add that key back to decrypt it')
        data = payload.data
        if len(data) < NONCE_BYTES + TAG_BYTES:
            raise PayloadDecryptError(f'an encrypted payload (key id "{key_id}") is {len(data)} bytes: too short to hold a nonce and a tag')
        try:
            plain = aead.decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], key_id.encode())
        except InvalidTag:
            raise PayloadDecryptError(f'a payload encrypted with key id "{key_id}" does not decrypt with the key of that id in {VARIABLE} '
                                      '(a different key under the same id, or altered data)') from None
        decoded = Payload()
        decoded.ParseFromString(plain)
        return decoded


def payload_keys_from_env(env: Mapping[str, str] = os.environ) -> list[PayloadKey]:
    """The keys WAYMARK_TEMPORAL_PAYLOAD_KEYS lists in `env` (none when it is empty or unset)."""
    return parse_payload_keys(env.get(VARIABLE, ''))


def data_converter(keys: Sequence[PayloadKey]) -> DataConverter:
    """The SDK's default converter, with the codec when there are keys (payloads in clear when there are none).
    Encrypted, a failure's message and stack are encrypted too, as the TypeScript workers do: they may quote data."""
    if not keys:
        return DataConverter.default
    return dataclasses.replace(DataConverter.default, payload_codec=AesGcmPayloadCodec(keys),
                               failure_converter_class=DefaultFailureConverterWithEncodedAttributes)
