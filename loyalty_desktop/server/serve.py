"""Running the server with uvicorn: TLS directly, or behind a proxy trusted only when named."""

from __future__ import annotations

import gc
import os

import uvicorn
from fastapi import FastAPI

from loyalty_desktop.domain.errors import InvalidInput

from .app import create_app
from .settings import ServerSettings
from .storage import is_postgres_url, open_storage

DB_ENV = "LOYALTY_SERVER_DB"

# A push of 500 events makes a few thousand short-lived dicts and lists. With CPython's default
# threshold (700) that ran several young collections per push, moved the batch's objects into
# older generations while the request still held them, and now and then a full collection
# over every object of the app (FastAPI, pydantic, psycopg): about a tenth of the server's
# time. Collections every 50,000 new objects find a batch's objects already freed by their
# reference counts; objects made at start are frozen out of collections altogether.
GC_THRESHOLDS = (50_000, 20, 20)


def tune_gc() -> None:
    """Collect garbage less often in a serving process (see GC_THRESHOLDS); call once built."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def app_from_env() -> FastAPI:
    """The app of one uvicorn worker process: database from $LOYALTY_SERVER_DB, settings too."""
    app = create_app(os.environ[DB_ENV], settings=ServerSettings.from_env())
    tune_gc()
    return app


def serve(
    db_url: str,
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    settings: ServerSettings | None = None,
    certfile: str | None = None,
    keyfile: str | None = None,
    forwarded_allow_ips: str | None = None,
    workers: int = 1,
    log_level: str = "info",
) -> None:
    """Serve until interrupted; refuse at once a database that cannot be used (newer schema...).

    `workers` > 1 runs that many processes on one PostgreSQL (they share nothing but it);
    an SQLite file has one writer, so one process.
    """
    if workers > 1 and not is_postgres_url(db_url):
        raise InvalidInput("Several workers need PostgreSQL; SQLite has one writer.",
                           code="workers_need_postgres")
    settings = settings or ServerSettings.from_env()
    open_storage(db_url, settings).close()  # fail here, with a clear message, not in a worker
    options = dict(
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
    if workers > 1:
        os.environ[DB_ENV] = db_url  # this process only serves: the workers read it
        uvicorn.run(f"{__name__}:app_from_env", factory=True, workers=workers, **options)
    else:
        app = create_app(db_url, settings=settings)
        tune_gc()
        uvicorn.run(app, **options)
