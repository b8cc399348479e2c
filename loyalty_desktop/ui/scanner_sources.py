"""Scanners other than the keyboard wedge: a serial-port scanner and the webcam.

Both feed the same `scanned(text)` as the wedge, so the counter has one handler for every
source. Their modules (ui/serial_scanner.py, ui/camera_scanner.py) load only when a setting
asks for them: QtSerialPort and QtMultimedia stay out of the start-up path, and a build
without them still runs (the error says the source is unavailable).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from .widgets import button

Loader = Callable[[str], ModuleType]
SERIAL_MODULE = "loyalty_desktop.ui.serial_scanner"
CAMERA_MODULE = "loyalty_desktop.ui.camera_scanner"


class ScannerSources(QObject):
    """Owns the serial and camera scanners; `scanned` and `error` from either."""

    scanned = Signal(str)
    error = Signal(str)

    def __init__(self, parent: QObject | None = None,
                 load: Loader = importlib.import_module) -> None:
        super().__init__(parent)
        self._load = load
        self.serial: Any = None
        self.camera: Any = None
        self.serial_port = ""
        self.camera_enabled = False

    def _module(self, name: str) -> ModuleType | None:
        """The scanner module, or None (and `error`) when this build lacks it."""
        try:
            return self._load(name)
        except ImportError as exc:
            self.error.emit(self.tr("Tarayıcı kullanılamıyor: {0}").format(exc))
            return None

    def configure(self, serial_port: str, camera_on: bool) -> None:
        """Apply the settings: open (or close) the serial port; allow the camera button."""
        self.camera_enabled = bool(camera_on)
        if not self.camera_enabled:
            self.stop_camera()
        port = (serial_port or "").strip()
        if port == self.serial_port and (not port or self._serial_open()):
            return
        self.serial_port = port
        if self.serial is not None:
            self.serial.stop()
        if not port:
            return
        if self.serial is None:
            module = self._module(SERIAL_MODULE)
            if module is None:
                return
            self.serial = module.SerialScanner(self)
            self.serial.scanned.connect(self.scanned)
            self.serial.error.connect(self.error)
        self.serial.start(port)

    def _serial_open(self) -> bool:
        return self.serial is not None and self.serial.is_open()

    def open_camera(self, parent: QWidget | None = None) -> QDialog | None:
        """Start the webcam and show its preview; closing the preview stops the camera."""
        if not self.camera_enabled:
            return None
        module = self._module(CAMERA_MODULE)
        if module is None:
            return None
        if self.camera is None:
            self.camera = module.CameraScanner(self)
            self.camera.scanned.connect(self.scanned)
            self.camera.error.connect(self.error)
        dialog = QDialog(parent)
        dialog.setObjectName("camera_dialog")
        dialog.setWindowTitle(self.tr("Kamerayla okut"))
        box = QVBoxLayout(dialog)
        box.addWidget(module.CameraPreview(self.camera, dialog), 1)
        close = button(self.tr("Kapat"))
        close.clicked.connect(dialog.accept)
        box.addWidget(close)
        self.camera.scanned.connect(dialog.accept)  # one card read: back to the counter
        dialog.finished.connect(lambda _r: self._camera_closed(dialog))
        self.camera.start()
        dialog.show()
        return dialog

    def _camera_closed(self, dialog: QDialog) -> None:
        if self.camera is not None:
            self.camera.scanned.disconnect(dialog.accept)
        self.stop_camera()
        dialog.deleteLater()

    def stop_camera(self) -> None:
        """Release the webcam."""
        if self.camera is not None:
            self.camera.stop()

    def stop(self) -> None:
        """Release every device (the window is closing)."""
        self.stop_camera()
        if self.serial is not None:
            self.serial.stop()
