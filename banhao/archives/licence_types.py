"""Which licence type a service item issues: an in-process cache keyed by service item id.

Approving a one-thing task asks this on every approval, so the answer must cost no query. The
whole (small) table is read once per process and kept until a licence type is saved or deleted
in this process, or for ``MAX_AGE`` seconds (so other processes see an administrator's edit soon).
"""

from __future__ import annotations

import threading
import time

MAX_AGE = 300.0

_lock = threading.Lock()
_by_item: dict[int, object] | None = None
_loaded_at = 0.0


def _load() -> dict[int, object]:
    from .models import LicenceType

    return {lt.item_id: lt for lt in LicenceType.objects.filter(item__isnull=False)}


def type_for_item(item_id: int):
    """The LicenceType issued by this service item, or None."""
    global _by_item, _loaded_at
    mapping = _by_item
    if mapping is None or time.monotonic() - _loaded_at > MAX_AGE:
        with _lock:
            mapping = _load()
            _by_item, _loaded_at = mapping, time.monotonic()
    return mapping.get(item_id)


def warm() -> None:
    """Load the mapping now (after seeding), so the first approval costs no query."""
    global _by_item, _loaded_at
    with _lock:
        _by_item, _loaded_at = _load(), time.monotonic()


def invalidate(**_kwargs) -> None:
    global _by_item
    _by_item = None
