"""Identifiers: time-ordered UUIDv7 for events, name-based ids for derived facts."""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last = 0


def uuid7(now_ms: int | None = None) -> str:
    """A UUIDv7 string; strictly increasing within this process, so text order = record order."""
    global _last
    with _lock:
        ms = int(time.time() * 1000) if now_ms is None else now_ms
        rand = int.from_bytes(os.urandom(10), "big") & ((1 << 74) - 1)
        value = (ms << 74) | rand
        if value <= _last:
            value = _last + 1
        _last = value
    ms_part = value >> 74
    rand_a = (value >> 62) & 0xFFF
    rand_b = value & ((1 << 62) - 1)
    n = (ms_part << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b
    return str(uuid.UUID(int=n))


NAMESPACE = uuid.UUID("6f0b5c8e-2f43-4c55-9a55-6c6f79616c74")


def derived_id(*parts: object) -> str:
    """A deterministic id for a fact every terminal derives alike (e.g. a birthday coupon)."""
    return str(uuid.uuid5(NAMESPACE, "|".join(str(p) for p in parts)))
