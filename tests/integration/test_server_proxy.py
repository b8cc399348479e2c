"""Behind a reverse proxy: X-Forwarded-For is trusted only from the addresses configured."""

from __future__ import annotations

from pathlib import Path

import httpx

from loyalty_desktop.server import admin
from loyalty_desktop.server.testing import ServerProcess

SLOW_PAIRING = {"pair_rate_burst": 2, "pair_rate_per_second": 0.001}


def attempts(server: ServerProcess, forwarded_for: list[str]) -> list[int]:
    """Pairing attempts with a wrong code, one per X-Forwarded-For value: the status codes."""
    return [
        httpx.post(f"{server.url}/v1/pair", json={"code": "AAAA-AAAA"},
                   headers={"X-Forwarded-For": address}).status_code
        for address in forwarded_for
    ]


def test_forwarded_for_is_ignored_unless_configured(tmp_path: Path) -> None:
    db = str(tmp_path / "server.db")
    admin.migrate(db)
    server = ServerProcess(db, settings=SLOW_PAIRING).start()
    try:  # a client cannot dodge the limit by inventing addresses
        assert attempts(server, ["10.0.0.1", "10.0.0.2", "10.0.0.3"]) == [403, 403, 429]
    finally:
        server.close()


def test_forwarded_for_from_a_trusted_proxy_names_the_client(tmp_path: Path) -> None:
    db = str(tmp_path / "server.db")
    admin.migrate(db)
    server = ServerProcess(
        db, settings=SLOW_PAIRING, extra_args=("--forwarded-allow-ips", "127.0.0.1")
    ).start()
    try:
        assert attempts(server, ["10.0.0.1", "10.0.0.2", "10.0.0.3"]) == [403, 403, 403]
        assert attempts(server, ["10.0.0.1", "10.0.0.1"]) == [403, 429]
    finally:
        server.close()
