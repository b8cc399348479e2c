"""Use cases: one method per user action, one transaction each (see docs/contracts.md)."""

from .terminal import Terminal, open_terminal

__all__ = ["Terminal", "open_terminal"]
