"""Property-based API testing from /openapi.json (schemathesis): no 500s, answers as documented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection

from loyalty_desktop.server import admin
from loyalty_desktop.server.testing import ServerProcess
from loyalty_desktop.sync import pair

EXAMPLES = 25  # per operation: the whole run stays well under a minute


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A server (SQLite) with a tenant holding some events, and a paired terminal's token."""
    db = str(tmp_path_factory.mktemp("schemathesis") / "server.db")
    admin.migrate(db)
    tenant = admin.add_tenant(db, "Şema")["tenant_id"]
    server = ServerProcess(
        db, settings={"rate_burst": 1_000_000, "pair_rate_burst": 1_000_000}
    ).start()
    try:
        token = pair(server.url, admin.create_pairing_code(db, tenant)["code"])["token"]
        yield server, token
    finally:
        server.close()


@pytest.fixture(scope="module")
def api_schema(live: Any) -> Any:
    """The live server's OpenAPI document."""
    server, _ = live
    return schemathesis.openapi.from_url(f"{server.url}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES, deadline=None, database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_as_documented(case: Any, live: Any, tmp_path: Path) -> None:
    server, token = live
    case.call_and_validate(
        base_url=server.url,
        headers={"Authorization": f"Bearer {token}"},
        # Unknown query parameters are ignored on purpose (a newer terminal may send one an
        # older server does not know); every other check runs, "not a server error" first.
        excluded_checks=[negative_data_rejection],
    )
