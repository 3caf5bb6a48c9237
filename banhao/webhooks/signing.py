"""Signed requests: what the dispatcher sends and what a receiver checks.

As Stripe and Standard Webhooks do, the signature is an HMAC-SHA256, with the subscriber's
secret, over ``f"{timestamp}.{body}"``: the timestamp is signed, so a captured request cannot be
replayed later than the receiver's tolerance, and the body carries the event id. Headers::

    Banhao-Event-Id: 3f0c…            the event's UUID (also in the body): dedupe on it
    Banhao-Event-Type: onething.task_ready
    Banhao-Timestamp: 1796284800       seconds since the epoch, when this attempt was signed
    Banhao-Signature: t=1796284800,v1=5257a8…[,v1=…]

During a secret rotation's grace period there is one ``v1`` per valid secret; a receiver
accepts the request if any ``v1`` matches the one secret it holds. ``verify`` is the
receiver's side, written out in the ADR in plain Python for department systems.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "Banhao-Signature"
TIMESTAMP_HEADER = "Banhao-Timestamp"
EVENT_ID_HEADER = "Banhao-Event-Id"
EVENT_TYPE_HEADER = "Banhao-Event-Type"
# How old a signed timestamp a receiver should accept (Stripe's default).
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def headers(
    *, secrets: list[str], timestamp: int, body: bytes, event_id: str, event_type: str
) -> dict[str, str]:
    signed = ",".join(f"v1={signature(s, timestamp, body)}" for s in secrets)
    return {
        "Content-Type": "application/json",
        EVENT_ID_HEADER: event_id,
        EVENT_TYPE_HEADER: event_type,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: f"t={timestamp},{signed}",
    }


def verify(
    secret: str,
    header: str,
    body: bytes,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """True if ``header`` (the Banhao-Signature value) signs ``body`` with ``secret`` and its
    timestamp is within ``tolerance`` seconds of ``now``."""
    parts = [p.split("=", 1) for p in header.split(",") if "=" in p]
    stamps = [v for k, v in parts if k.strip() == "t"]
    candidates = [v.strip() for k, v in parts if k.strip() == "v1"]
    if len(stamps) != 1 or not stamps[0].strip().isdigit() or not candidates:
        return False
    timestamp = int(stamps[0])
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, c) for c in candidates)
