"""Pseudonymisation of source identifiers (AVG: data minimisation).

A source identifier (``bron_id``: the case number in the source system) is replaced on import by
``HMAC-SHA256(key, namespace + ":" + bron_id)`` as 64 hex characters. The key comes from the
setting ``TKM_PSEUDONYM_KEY`` (secrets), is never stored or logged, and the same key must be used
for every import so that the same person gets the same key. Without the key the mapping cannot be
recomputed, so a leaked database does not reveal source identifiers.
"""
from __future__ import annotations

import hashlib
import hmac

from data_access import settings


def pseudonymise(source_id: str, key: bytes | None = None, namespace: str = "bron_id") -> str:
    """Return the pseudonymous key (64 lowercase hex chars) for ``source_id``.

    ``source_id`` is stripped of surrounding white space first. Raises ``ValueError`` if empty.
    """
    value = str(source_id).strip()
    if not value:
        raise ValueError("leeg bron_id")
    k = key if key is not None else settings.pseudonym_key()
    return hmac.new(k, f"{namespace}:{value}".encode("utf-8"), hashlib.sha256).hexdigest()
