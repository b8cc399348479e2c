"""Server settings: declared once with type, default and help, overridable from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace

ENV_PREFIX = "LOYALTY_SERVER_"


@dataclass(frozen=True)
class ServerSettings:
    """Everything the server's behaviour depends on besides its database."""

    max_batch_events: int = 500
    """Most events one push may carry; more is answered 413."""

    max_body_bytes: int = 4 * 1024 * 1024
    """Largest request body accepted; more is answered 413."""

    page_limit: int = 500
    """Most events one pull page returns."""

    rate_per_second: float = 20.0
    """Token bucket refill per bearer token (requests per second)."""

    rate_burst: float = 60.0
    """Token bucket size per bearer token (requests allowed at once)."""

    pair_rate_per_second: float = 0.2
    """Token bucket refill per client address for pairing attempts."""

    pair_rate_burst: float = 10.0
    """Token bucket size per client address for pairing attempts."""

    pairing_code_minutes: int = 15
    """How long a one-time pairing code stays valid."""

    auto_migrate: bool = True
    """Create or upgrade an SQLite database at start (never done for PostgreSQL)."""

    pool_min_size: int = 2
    """PostgreSQL pool: connections kept open."""

    pool_max_size: int = 10
    """PostgreSQL pool: most connections at once."""

    report_rollup_seconds: float = 60.0
    """Fold new events into the report rollups at least this often (0: no background folding)."""

    report_rollup_delay: float = 2.0
    """After a push, wait this long before folding (a burst of pushes is folded once)."""

    def with_changes(self, **changes: object) -> ServerSettings:
        """A copy with some settings changed."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> ServerSettings:
        """Defaults overridden by LOYALTY_SERVER_<NAME> variables (e.g. LOYALTY_SERVER_RATE_BURST)."""
        env = os.environ if environ is None else environ
        changes: dict[str, object] = {}
        for field in fields(cls):
            raw = env.get(ENV_PREFIX + field.name.upper())
            if raw is not None:
                changes[field.name] = _parse(field.type, raw, field.name)
        return cls(**changes)  # type: ignore[arg-type]


def _parse(kind: object, raw: str, name: str) -> object:
    """Convert one environment value to the field's type."""
    text = raw.strip()
    try:
        if kind in (bool, "bool"):
            if text.lower() in ("1", "true", "yes", "on"):
                return True
            if text.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(text)
        if kind in (int, "int"):
            return int(text)
        return float(text)
    except ValueError:
        raise ValueError(f"{ENV_PREFIX}{name.upper()}={raw!r} is not a valid {kind}") from None
