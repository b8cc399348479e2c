"""The terminal's sync client against a real server process (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from loyalty_desktop.server import admin
from loyalty_desktop.server.testing import PG_ENV, Backend, ServerProcess, make_backend
from loyalty_desktop.sync import SyncClient, SyncError, pair, pair_terminal
from loyalty_desktop.sync.memory import MemorySyncStore


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A fresh server database of each kind."""
    made = make_backend(request.param, tmp_path_factory.mktemp("server"))
    if made is None:
        pytest.skip(f"{PG_ENV} is not set: no PostgreSQL to test against")
    yield made
    made.drop()


@pytest.fixture(scope="module")
def server(backend: Backend) -> Any:
    """A server whose body limit is small enough to make a 500-event batch too large."""
    process = ServerProcess(
        backend.app_url, settings={"pair_rate_burst": 10_000, "max_body_bytes": 256 * 1024}
    ).start()
    yield process
    process.close()


def paired_store(server: ServerProcess, backend: Backend, tenant: str) -> MemorySyncStore:
    """A terminal store paired with the server."""
    store = MemorySyncStore()
    code = admin.create_pairing_code(backend.admin_url, tenant)["code"]
    pair_terminal(store, server.url, code, terminal_name="Kasa")
    return store


def new_tenant(backend: Backend, name: str) -> str:
    """A tenant with a unique name."""
    return str(admin.add_tenant(backend.admin_url, f"{name}-{id(object())}")["tenant_id"])


def server_events(server: ServerProcess, store: MemorySyncStore) -> list[dict[str, Any]]:
    """Every event the server holds for the store's tenant, in server_seq order."""
    headers = {"Authorization": f"Bearer {store.state['token']}"}
    found, after = [], 0
    while True:
        page = httpx.get(f"{server.url}/v1/events", params={"after": after}, headers=headers).json()
        found += page["events"]
        after = page["next_cursor"]
        if not page["has_more"]:
            return found


def sync(store: MemorySyncStore, **options: Any) -> Any:
    """One sync run with a client closed afterwards."""
    with SyncClient(store, **options) as client:
        return client.sync_once()


def test_two_terminals_converge(server: ServerProcess, backend: Backend) -> None:
    tenant = new_tenant(backend, "chain")
    a, b = paired_store(server, backend, tenant), paired_store(server, backend, tenant)
    for _ in range(1203):
        a.record()
    for _ in range(7):
        b.record()
    first = sync(a)
    assert (first.pushed, first.pulled, first.acked_seq) == (1203, 0, 1203)
    second = sync(b)
    assert (second.pushed, second.pulled, second.cursor) == (7, 1203, 1210)
    third = sync(a)
    assert (third.pushed, third.pulled) == (0, 7)
    assert set(a.remote) == {e["id"] for e in b.own}
    assert set(b.remote) == {e["id"] for e in a.own}
    assert a.state["pushed_seq"] == 1203 and a.state["last_sync_at"] is not None
    assert sync(b).pulled == 0


def test_lost_answer_after_commit_is_harmless(server: ServerProcess, backend: Backend) -> None:
    store = paired_store(server, backend, new_tenant(backend, "lossy"))
    for _ in range(1200):
        store.record()

    class LosesPushAnswers(httpx.HTTPTransport):
        """Delivers pushes to the server, then drops the first answers (a crash after commit)."""

        lost = 0

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            response = super().handle_request(request)
            if request.method == "POST" and self.lost < 2:
                self.lost += 1
                response.read()
                raise httpx.ReadError("connection reset", request=request)
            return response

    with SyncClient(store, transport=LosesPushAnswers()) as client:
        for _ in range(2):
            with pytest.raises(SyncError) as failed:
                client.sync_once()
            assert failed.value.code == "sync_offline"
        # The second run learnt from the status that the first batch was held, never the second.
        assert store.state["pushed_seq"] == 500
        report = client.sync_once()
    assert report.acked_seq == 1200 and report.duplicates == 0  # resumed from acked_seq
    held = server_events(server, store)
    assert sorted(e["event"]["seq"] for e in held) == list(range(1, 1201))


def test_revoked_terminal_gets_an_unauthorized_error(server: ServerProcess, backend: Backend) -> None:
    tenant = new_tenant(backend, "revoked")
    store = paired_store(server, backend, tenant)
    admin.revoke_terminal(backend.admin_url, tenant, store.terminal_id())
    store.record()
    with pytest.raises(SyncError) as failed:
        sync(store)
    assert failed.value.code == "sync_unauthorized" and failed.value.status == 401


def test_unpaired_or_bad_code(server: ServerProcess) -> None:
    with pytest.raises(SyncError) as not_paired:
        sync(MemorySyncStore())
    assert not_paired.value.code == "sync_not_paired"
    with pytest.raises(SyncError) as bad_code:
        pair(server.url, "ZZZZ-ZZZZ")
    assert bad_code.value.code == "sync_pairing_failed"


def test_a_batch_over_the_body_limit_is_split(server: ServerProcess, backend: Backend) -> None:
    store = paired_store(server, backend, new_tenant(backend, "big"))
    for n in range(600):
        store.record(payload={"lines": [{"sku": f"{n}-{i}", "qty": 1} for i in range(40)]})
    report = sync(store)
    assert report.pushed == 600 and report.acked_seq == 600


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1 signed by it: (ca, cert, key) files."""
    now = dt.datetime.now(dt.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Loyalty test CA")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    files = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    files[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files[2].write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ))
    return files


def test_tls_is_verified_against_the_given_ca(backend: Backend, tmp_path: Path) -> None:
    if backend.name != "sqlite":
        pytest.skip("TLS is the HTTP layer: one backend is enough")
    ca, cert, key = _certificates(tmp_path)
    server = ServerProcess(
        backend.app_url, scheme="https",
        extra_args=("--certfile", str(cert), "--keyfile", str(key)),
    )
    server.start(verify=ssl.create_default_context(cafile=str(ca)))
    try:
        tenant = new_tenant(backend, "tls")
        code = admin.create_pairing_code(backend.admin_url, tenant)["code"]
        with pytest.raises(SyncError) as untrusted:
            pair(server.url, code)
        assert untrusted.value.code == "sync_offline"
        store = MemorySyncStore()
        store.record()
        pair_terminal(store, server.url, code, ca_file=str(ca))
        assert sync(store, ca_file=str(ca)).pushed == 1
    finally:
        server.close()

