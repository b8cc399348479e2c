"""The counter window (PySide6): the only package that imports Qt. Entry point: ui.main.main."""
