"""Loyalty Desktop: an offline-first loyalty terminal for shop counters."""

__version__ = "0.1.0"
