"""A webcam as a card scanner: QtMultimedia frames decoded by zxing-cpp off the GUI thread.

The capture session feeds a QVideoSink (or the preview's QVideoWidget). At most
`max_decodes_per_second` frames are taken, and none while one is being decoded; the GUI thread
only hands the (implicitly shared) frame to a QRunnable on the scanner's own one-thread pool,
which converts it to a grayscale image and decodes it. Results come back through a queued signal; a code is emitted as
`scanned` unless it was emitted less than `repeat_window_s` ago. `submit_image` is the same
path for a still image (and for tests without a camera).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import (
    QCamera,
    QCameraDevice,
    QMediaCaptureSession,
    QMediaDevices,
    QVideoFrame,
    QVideoSink,
)
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ..domain.decoding import FrameThrottle, RepeatFilter, codes_in, gray_array

_CONTEXT = "CameraScanner"


def _translate(text: str) -> str:
    """The Turkish source text in the user's language."""
    return QCoreApplication.translate(_CONTEXT, text)


def decode_image(image: QImage) -> list[str]:
    """Our codes in a QImage (any format): grayscale it and decode it with zxing-cpp."""
    if image.isNull():
        return []
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    pixels = gray_array(gray.constBits(), gray.width(), gray.height(), gray.bytesPerLine())
    return codes_in(pixels)


def camera_names() -> list[str]:
    """Descriptions of the cameras the system offers now (for the settings screen)."""
    return [device.description() for device in QMediaDevices.videoInputs()]


class _Results(QObject):
    """Carries a decode result from the pool thread back to the GUI thread (queued)."""

    decoded = Signal(object)  # list[str]


class _DecodeJob(QRunnable):
    """One frame decoded in the pool thread; the codes go back through `results.decoded`."""

    def __init__(self, source: QImage | QVideoFrame, results: _Results) -> None:
        super().__init__()
        self.source = source
        self.results = results

    def run(self) -> None:
        """Convert and decode; any failure counts as "no code" so the scanner never stays busy."""
        try:
            source = self.source
            # QVideoFrame.toImage converts YUV/MJPEG on this thread (Qt keeps a per-thread
            # converter), so the GUI thread only hands the shared frame over.
            image = source.toImage() if isinstance(source, QVideoFrame) else source
            codes = decode_image(image)
        except Exception:  # a bad frame must not stop scanning
            codes = []
        self.results.decoded.emit(codes)


class CameraScanner(QObject):
    """A camera reading QR cards and coupon barcodes: `scanned(text)`, `error(message)`."""

    scanned = Signal(str)
    error = Signal(str)

    def __init__(self, parent: QObject | None = None, max_decodes_per_second: float = 8.0,
                 repeat_window_s: float = 2.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        self._clock = clock
        self._throttle = FrameThrottle(max_decodes_per_second)
        self._repeats = RepeatFilter(repeat_window_s)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._results = _Results()  # no parent: a job still running may emit on it
        self._results.decoded.connect(self._decoded)
        self._session = QMediaCaptureSession(self)
        self._camera: QCamera | None = None
        self._sink = QVideoSink(self)
        self._sink.videoFrameChanged.connect(self._frame)
        self._session.setVideoSink(self._sink)
        self._preview: QVideoWidget | None = None

    @property
    def busy(self) -> bool:
        """True while a frame is being decoded."""
        return self._throttle.busy

    @property
    def video_sink(self) -> QVideoSink:
        """The sink frames arrive on (the preview's, once one is attached)."""
        return self._session.videoSink()

    def is_active(self) -> bool:
        """True while a camera is running."""
        return self._camera is not None and self._camera.isActive()

    def start(self, camera_id: bytes | None = None) -> bool:
        """Start the camera with this id (None: the default); False (and `error`) if none."""
        self.stop()
        device = self._find_camera(camera_id)
        if device is None:
            self.error.emit(_translate("Kamera bulunamadı. Bir kamera takın ya da kartı "
                                       "tarayıcıyla okutun."))
            return False
        self._camera = QCamera(device, self)
        self._camera.errorOccurred.connect(self._camera_error)
        self._session.setCamera(self._camera)
        self._camera.start()
        return self._camera is not None  # an error during start() has already released it

    def stop(self) -> None:
        """Stop and release the camera (decodes already running still finish)."""
        if self._camera is None:
            return
        camera, self._camera = self._camera, None
        camera.errorOccurred.disconnect(self._camera_error)
        camera.stop()
        self._session.setCamera(None)
        camera.deleteLater()

    def set_preview(self, widget: QVideoWidget | None) -> None:
        """Show the video in `widget` and decode the frames it receives (None: no preview)."""
        if self._preview is not None:
            self._preview.destroyed.disconnect(self._preview_destroyed)
            self._preview.videoSink().videoFrameChanged.disconnect(self._frame)
            self._preview = None
        if widget is None:
            self._session.setVideoSink(self._sink)
            return
        self._session.setVideoOutput(widget)
        widget.videoSink().videoFrameChanged.connect(self._frame)
        widget.destroyed.connect(self._preview_destroyed)
        self._preview = widget

    @Slot()
    def _preview_destroyed(self) -> None:
        """The preview widget is gone (its sink with it): decode our own sink's frames again."""
        self._preview = None
        self._session.setVideoSink(self._sink)

    def submit_image(self, image: QImage) -> bool:
        """Decode a still image through the frame path; False when dropped (busy or too soon)."""
        if not self._throttle.admit(self._clock()):
            return False
        self._pool.start(_DecodeJob(image.copy(), self._results))
        return True

    def wait_for_done(self, msecs: int = 5000) -> bool:
        """Wait until the running decode finished (closing down, tests)."""
        return self._pool.waitForDone(msecs)

    @Slot(QVideoFrame)
    def _frame(self, frame: QVideoFrame) -> None:
        """A camera frame: decode it if the throttle admits it, else drop it."""
        if not frame.isValid() or not self._throttle.admit(self._clock()):
            return
        self._pool.start(_DecodeJob(QVideoFrame(frame), self._results))

    @Slot(object)
    def _decoded(self, codes: list[str]) -> None:
        """Back in the GUI thread: emit new codes and let the next frame in."""
        self._throttle.done()
        now = self._clock()
        for code in codes:
            if self._repeats.accept(code, now):
                self.scanned.emit(code)

    @Slot(QCamera.Error, str)
    def _camera_error(self, error: QCamera.Error, detail: str) -> None:
        """The camera failed or was unplugged: tell the cashier, release it."""
        if error == QCamera.Error.NoError:
            return
        self.stop()
        self.error.emit(_translate("Kamera çalışmıyor: {detail}. Kamerayı kontrol edin ya "
                                   "da kartı tarayıcıyla okutun.").format(detail=detail))

    @staticmethod
    def _find_camera(camera_id: bytes | None) -> QCameraDevice | None:
        """The camera with this id, the default one for None, or None when there is none."""
        devices = QMediaDevices.videoInputs()
        if camera_id is None:
            default = QMediaDevices.defaultVideoInput()
            return None if default.isNull() else default
        return next((d for d in devices if bytes(d.id().data()) == camera_id), None)


class CameraPreview(QWidget):
    """The camera's picture with a hint line under it (errors replace the hint)."""

    def __init__(self, scanner: CameraScanner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scanner = scanner
        self.video = QVideoWidget(self)
        self.video.setMinimumSize(320, 240)
        self.hint = QLabel(_translate("Kartın karekodunu kameraya gösterin"), self)
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.video, 1)
        layout.addWidget(self.hint)
        scanner.set_preview(self.video)
        scanner.error.connect(self.hint.setText)
        scanner.scanned.connect(self._show_read)

    @Slot(str)
    def _show_read(self, _code: str) -> None:
        """Confirm a read without showing the code itself (it is a member's credential)."""
        self.hint.setText(_translate("Kart okundu. Sonraki kartı gösterebilirsiniz."))
