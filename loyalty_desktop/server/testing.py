"""Running real servers for tests and benchmarks: a uvicorn subprocess, a throwaway PostgreSQL."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
from psycopg import sql

from . import admin
from .storage import migrate_postgres

PG_ENV = "LOYALTY_TEST_PG_URL"
REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """`python -m loyalty_desktop.server serve` in a subprocess; started, killed, restarted by id."""

    def __init__(self, db_url: str, *, settings: dict[str, object] | None = None,
                 extra_args: tuple[str, ...] = (), scheme: str = "http",
                 port: int | None = None) -> None:
        self.db_url = db_url
        self.port = port or free_port()
        self.scheme = scheme
        self.extra_args = extra_args
        self.env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        for name, value in (settings or {}).items():
            self.env["LOYALTY_SERVER_" + name.upper()] = str(value)
        self.log = tempfile.NamedTemporaryFile(prefix="loyalty-server-", suffix=".log", delete=False)
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0, verify: Any = True) -> ServerProcess:
        """Start and wait until /health answers."""
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "loyalty_desktop.server", "serve", "--db", self.db_url,
             "--port", str(self.port), *self.extra_args],
            env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.output()}")
            try:
                if httpx.get(self.url + "/health", timeout=1.0, verify=verify).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"server did not answer within {timeout}s:\n{self.output()}")

    def output(self) -> str:
        """What the server printed so far."""
        return Path(self.log.name).read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the process (a crash: no shutdown, no flush)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None

    def stop(self) -> None:
        """Graceful stop (SIGTERM), then kill if it hangs."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None

    def close(self) -> None:
        """Stop and remove the log file."""
        self.stop()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


def with_database(url: str, dbname: str, user: str | None = None) -> str:
    """The same PostgreSQL URL pointing at another database (and optionally another user)."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    if user is None:
        netloc = parts.netloc
    else:
        netloc = f"{user}@{host}"
    return urlunsplit((parts.scheme, netloc, "/" + dbname, parts.query, parts.fragment))


class TempPostgres:
    """A uniquely named database and app role, migrated as the admin; dropped afterwards."""

    def __init__(self, admin_url: str, prefix: str = "loyalty_test") -> None:
        suffix = secrets.token_hex(4)
        self.server_admin_url = admin_url
        self.dbname = f"{prefix}_{suffix}"
        self.role = f"loyalty_app_{suffix}"
        self.admin_url = with_database(admin_url, self.dbname)
        self.app_url = with_database(admin_url, self.dbname, user=self.role)
        self.copies: list[str] = []

    def create(self) -> TempPostgres:
        """Create the database and run the migrations, granting the app role."""
        self._admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.dbname)))
        migrate_postgres(self.admin_url, app_role=self.role)
        return self

    def copy(self) -> str:
        """A copy of the database (a backup taken now; nobody may be connected): its name."""
        name = f"{self.dbname}_copy{len(self.copies)}"
        self._admin(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(self.dbname)))
        self.copies.append(name)
        return name

    def replace_with(self, copy: str) -> None:
        """Put a copy in place of the database (a restore), keeping the same URLs."""
        self._admin(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(self.dbname)))
        self._admin(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
            sql.Identifier(copy), sql.Identifier(self.dbname)))
        self.copies.remove(copy)

    def drop(self) -> None:
        """Drop the database, its copies and the role."""
        for name in [self.dbname, *self.copies]:
            self._admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        self._admin(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(self.role)))

    def _admin(self, statement: sql.Composable) -> None:
        """Run one statement on the cluster as the admin, outside a transaction."""
        with psycopg.connect(self.server_admin_url, autocommit=True) as conn:
            conn.execute(statement)


@dataclass
class Backend:
    """A test server database: admin URL (the owner) and app URL (the least-privilege role)."""

    name: str
    admin_url: str
    app_url: str
    pg: TempPostgres | None = None

    def drop(self) -> None:
        """Drop a PostgreSQL database (an SQLite file goes with its temporary folder)."""
        if self.pg is not None:
            self.pg.drop()


def make_backend(kind: str, folder: Path) -> Backend | None:
    """A fresh, migrated database of a kind ("sqlite" or "postgres"); None if PG is not set up."""
    if kind == "sqlite":
        path = str(folder / "server.db")
        admin.migrate(path)
        return Backend("sqlite", path, path)
    url = os.environ.get(PG_ENV)
    if not url:
        return None
    pg = TempPostgres(url).create()
    return Backend("postgres", pg.admin_url, pg.app_url, pg)
