"""Signatures of electronic licences (电子证照, ADR 0016): ECDSA P-256 with SHA-256.

One signing key per installation. The private key is a PEM file outside the database
(``settings.BANHAO_LICENCE_KEY_FILE``); each public key is kept in ``SigningKey`` under its key id,
so licences signed before a rotation still verify. The signed content is
``canonical(licence)``: sorted-key JSON of what the licence states, with the holder's identifier
replaced by a digest keyed by a per-licence secret salt. Nothing here logs key material.

Signing costs no query after the first in a process (the key is cached, and reloaded when the
file changes, e.g. after a rotation by another process), so it rides on the approval hot path.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.utils import timezone

from .models import Licence, SigningKey

ALGORITHM = "ecdsa-p256-sha256"
# Version of the canonical content; a new layout gets a new number, old licences keep theirs.
CONTENT_VERSION = 1


class NoSigningKey(Exception):
    """No private key file, and this installation does not create one on demand."""


@dataclass(frozen=True)
class Signer:
    private_key: ec.EllipticCurvePrivateKey
    key_id: str
    # (device, inode, mtime) of the file it came from: a rotation replaces the file.
    stamp: tuple[int, int, int]


_lock = threading.Lock()
_signer: Signer | None = None
_checked_at = 0.0
# How often a process looks at the key file again (a rotation elsewhere shows within this).
RECHECK_SECONDS = 2.0
_public_keys: dict[str, ec.EllipticCurvePublicKey] = {}


def key_path() -> Path:
    return Path(settings.BANHAO_LICENCE_KEY_FILE)


def public_pem(public_key: ec.EllipticCurvePublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def key_id_of(public_key: ec.EllipticCurvePublicKey) -> str:
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()[:16]


def write_new_key(path: Path, *, replace: bool) -> ec.EllipticCurvePrivateKey:
    """Generate a key and write it to ``path`` (mode 0600) in one step: another process sees the
    old file or the new one, never half of it. Without ``replace`` an existing file wins."""
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            # Another process may have created it first: then theirs is the key.
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return key


def register(public_key: ec.EllipticCurvePublicKey) -> SigningKey:
    """The key's row in ``SigningKey`` (created on first sight)."""
    row, _created = SigningKey.objects.get_or_create(
        key_id=key_id_of(public_key),
        defaults={"algorithm": ALGORITHM, "public_key_pem": public_pem(public_key)},
    )
    return row


def _load(path: Path) -> Signer:
    stat = path.stat()
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise NoSigningKey(f"{path.name} is not an ECDSA P-256 private key")
    return Signer(key, key_id_of(key.public_key()), (stat.st_dev, stat.st_ino, stat.st_mtime_ns))


def current_signer() -> Signer:
    """The installation's signing key, from the file (cached until the file changes).

    Raises ``NoSigningKey`` when there is no file and the settings do not allow creating one."""
    global _signer, _checked_at
    signer = _signer
    now = time.monotonic()
    if signer is not None and now - _checked_at < RECHECK_SECONDS:
        return signer
    path = key_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        if not settings.BANHAO_LICENCE_KEY_AUTOCREATE:
            raise NoSigningKey(f"no licence signing key at {path.name}") from None
        write_new_key(path, replace=False)
        stat = path.stat()
    _checked_at = now
    if signer is not None and signer.stamp == (stat.st_dev, stat.st_ino, stat.st_mtime_ns):
        return signer
    with _lock:
        signer = _load(path)
        # The public key is recorded when a process first signs with it; verification also
        # trusts the current key directly, so a fresh database needs nothing else.
        register(signer.private_key.public_key())
        _signer = signer
    return signer


def forget_key() -> None:
    """Drop the cached key (after a rotation in this process, and between tests)."""
    global _signer, _checked_at
    _signer, _checked_at = None, 0.0


def _digest(salt: str, value: str) -> str:
    return hmac.new(salt.encode("ascii"), value.encode("utf-8"), hashlib.sha256).hexdigest()


def canonical(licence: Licence) -> bytes:
    """The signed content: what the licence states, in one byte-exact serialisation."""
    if licence.person_id:
        kind, identifier = "person", licence.person.id_number
    else:
        kind, identifier = "enterprise", licence.enterprise.credit_code
    content = {
        "v": CONTENT_VERSION,
        "alg": licence.signature_algorithm,
        "key": licence.key_id,
        "token": licence.token,
        "type": licence.licence_type.code,
        "issuer": licence.issuer_id,
        "holder_kind": kind,
        "holder": _digest(licence.holder_salt, identifier),
        "number": licence.number,
        "issued_on": licence.issued_on.isoformat(),
        "expires_on": licence.expires_on.isoformat() if licence.expires_on else None,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(licence: Licence, signer: Signer | None = None) -> None:
    """Give an unsaved (or unsigned) licence its token, salt and signature, in memory: the
    caller saves them with the row, so signing adds no statement."""
    signer = signer or current_signer()
    if not licence.token:
        licence.token = secrets.token_urlsafe(16)
    licence.holder_salt = secrets.token_hex(16)
    licence.signature_algorithm = ALGORITHM
    licence.key_id = signer.key_id
    der = signer.private_key.sign(canonical(licence), ec.ECDSA(hashes.SHA256()))
    licence.signature = base64.b64encode(der).decode("ascii")


def _public_key(key_id: str) -> ec.EllipticCurvePublicKey | None:
    """A public key by id: the current key file's, or a recorded one. Cached per process; a
    recorded key whose PEM does not hash to its id is not trusted."""
    cached = _public_keys.get(key_id)
    if cached is not None:
        return cached
    try:
        signer = current_signer()
    except NoSigningKey:
        signer = None
    if signer is not None and signer.key_id == key_id:
        public = signer.private_key.public_key()
    else:
        row = SigningKey.objects.filter(key_id=key_id).first()
        if row is None:
            return None
        loaded = serialization.load_pem_public_key(row.public_key_pem.encode("ascii"))
        if not isinstance(loaded, ec.EllipticCurvePublicKey) or key_id_of(loaded) != key_id:
            return None
        public = loaded
    _public_keys[key_id] = public
    return public


def verify(licence: Licence) -> bool:
    """Whether the stored signature covers the licence's stored content."""
    if not licence.signature or licence.signature_algorithm != ALGORITHM:
        return False
    public = _public_key(licence.key_id)
    if public is None:
        return False
    try:
        der = base64.b64decode(licence.signature, validate=True)
        public.verify(der, canonical(licence), ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True


def retire_others(key_id: str) -> int:
    """Mark every other recorded key retired (after a rotation)."""
    return (
        SigningKey.objects.exclude(key_id=key_id)
        .filter(retired_at__isnull=True)
        .update(retired_at=timezone.now())
    )
