"""The central server: terminals pair, push their events and pull the others' (ASGI app).

`create_app` and `ServerSettings` are imported on first use: the terminal's CLI registers the
`server` commands on every start, and FastAPI is not cheap to import.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app", "ServerSettings"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    if name == "ServerSettings":
        from .settings import ServerSettings

        return ServerSettings
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
