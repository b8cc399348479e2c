"""The central server: terminals pair, push their events and pull the others' (ASGI app)."""

from .app import create_app
from .settings import ServerSettings

__all__ = ["create_app", "ServerSettings"]
