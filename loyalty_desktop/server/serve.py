"""Running the server with uvicorn: TLS directly, or behind a proxy trusted only when named."""

from __future__ import annotations

import uvicorn

from .app import create_app
from .settings import ServerSettings
from .storage import open_storage


def serve(
    db_url: str,
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    settings: ServerSettings | None = None,
    certfile: str | None = None,
    keyfile: str | None = None,
    forwarded_allow_ips: str | None = None,
    log_level: str = "info",
) -> None:
    """Serve until interrupted; refuse at once a database that cannot be used (newer schema...)."""
    settings = settings or ServerSettings.from_env()
    open_storage(db_url, settings).close()  # fail here, with a clear message, not in a worker
    uvicorn.run(
        create_app(db_url, settings=settings),
        host=host,
        port=port,
        ssl_certfile=certfile,
        ssl_keyfile=keyfile,
        # uvicorn trusts X-Forwarded-* from 127.0.0.1 by default: only when configured here.
        proxy_headers=forwarded_allow_ips is not None,
        forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
        log_level=log_level,
        timeout_graceful_shutdown=10,
    )
