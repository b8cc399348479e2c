"""Serial scanners over a real pseudo-terminal and the camera scanner's decode path on real
card images (rendered by printing.cards from a terminal's signed payload)."""

from __future__ import annotations

import io
import os
import threading

import pytest
import shiboken6
from PIL import Image, ImageFilter
from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QTransform
from PySide6.QtMultimedia import QMediaDevices, QVideoFrame, QVideoFrameFormat

from loyalty_desktop.domain.cards import encode_card_payload, new_card_number, new_issuer_key
from loyalty_desktop.printing.cards import CardFace, render_card_png
from loyalty_desktop.ui import camera_scanner
from loyalty_desktop.ui.camera_scanner import CameraPreview, CameraScanner, decode_image
from loyalty_desktop.ui.serial_scanner import SerialScanner, available_ports

PHONE = "05321234567"


class Recorder:
    """Collects what a scanner emits."""

    def __init__(self, scanner) -> None:
        self.scans: list[str] = []
        self.errors: list[str] = []
        scanner.scanned.connect(self.scans.append)
        scanner.error.connect(self.errors.append)


# --- serial ------------------------------------------------------------------------------
@pytest.fixture
def pty():
    """A pseudo-terminal pair: (master fd to write into, slave path for QSerialPort)."""
    master, slave = os.openpty()
    path = os.ttyname(slave)
    os.close(slave)
    fds = {"master": master}
    yield fds, path
    if fds["master"] is not None:
        os.close(fds["master"])


@pytest.fixture
def serial(qtbot):
    """A serial scanner, closed after the test."""
    scanner = SerialScanner()
    yield scanner, Recorder(scanner)
    scanner.stop()


@pytest.fixture
def payload(shop):
    """The signed card payload of the shop's member, as the terminal issued it."""
    return shop.find_member(PHONE)["card_payload"]


def test_scans_arrive_in_fragments_several_per_write_and_with_any_line_end(serial, pty, qtbot,
                                                                            payload):
    scanner, seen = serial
    (fds, path) = pty
    assert scanner.start(path, 9600) and scanner.is_open()
    os.write(fds["master"], payload[:60].encode())
    qtbot.wait(60)
    os.write(fds["master"], payload[60:].encode())
    qtbot.wait(60)
    assert seen.scans == []  # no line end yet
    os.write(fds["master"], b"\r")
    qtbot.waitUntil(lambda: seen.scans == [payload], timeout=2000)
    os.write(fds["master"], b"\n9790123456789012\r\n\r\n  \n212345678903\n")
    qtbot.waitUntil(lambda: len(seen.scans) == 3, timeout=2000)
    assert seen.scans == [payload, "9790123456789012", "212345678903"]
    assert seen.errors == []


def test_layout_symbols_from_a_shifted_scanner_are_normalised(serial, pty, qtbot):
    scanner, seen = serial
    (fds, path) = pty
    scanner.start(path)
    os.write(fds["master"], "!'^+%&/()=\r\n".encode())  # Turkish-Q Shift+1..0
    qtbot.waitUntil(lambda: seen.scans == ["1234567890"], timeout=2000)


def test_a_too_long_line_is_an_error_and_scanning_goes_on(serial, pty, qtbot, payload):
    scanner, seen = serial
    (fds, path) = pty
    scanner.start(path)
    os.write(fds["master"], b"5" * 400)
    qtbot.wait(50)
    os.write(fds["master"], b"5" * 400 + b"\r\n" + payload.encode() + b"\r\n")
    qtbot.waitUntil(lambda: seen.scans == [payload], timeout=2000)
    assert len(seen.errors) == 1 and "çok uzun" in seen.errors[0] and "512" in seen.errors[0]


def test_a_missing_port_is_reported_not_raised(serial):
    scanner, seen = serial
    assert scanner.start("/dev/ttyNOSUCHSCANNER") is False
    assert not scanner.is_open()
    assert len(seen.errors) == 1 and "bulunamadı" in seen.errors[0]
    assert "/dev/ttyNOSUCHSCANNER" in seen.errors[0]


def test_a_busy_port_is_reported(serial, pty, qtbot):
    scanner, seen = serial
    (_, path) = pty
    assert scanner.start(path)
    other = SerialScanner()
    other_seen = Recorder(other)
    assert other.start(path) is False
    assert len(other_seen.errors) == 1 and "kullanımda" in other_seen.errors[0]
    assert seen.errors == [] and scanner.is_open()


def test_the_port_going_away_is_reported_once_and_closes_the_scanner(serial, pty, qtbot):
    scanner, seen = serial
    (fds, path) = pty
    scanner.start(path)
    os.write(fds["master"], b"12345")  # a half line, lost with the port
    qtbot.wait(50)
    os.close(fds["master"])
    fds["master"] = None
    qtbot.waitUntil(lambda: bool(seen.errors), timeout=3000)
    qtbot.wait(100)
    assert len(seen.errors) == 1 and "bağlantısı kesildi" in seen.errors[0]
    assert seen.scans == [] and not scanner.is_open()


def test_available_ports_lists_names():
    ports = available_ports()
    assert isinstance(ports, list) and all(isinstance(p, str) and p for p in ports)


# --- camera ------------------------------------------------------------------------------
class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def qimage_from_pil(image: Image.Image) -> QImage:
    """A PIL image as a QImage (through PNG bytes, as a file from disk would arrive)."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    qimage = QImage.fromData(QByteArray(buffer.getvalue()))
    assert not qimage.isNull()
    return qimage


def rotated(image: QImage, degrees: float) -> QImage:
    """The image turned by `degrees` on a white background, like a card held askew."""
    turned = image.transformed(QTransform().rotate(degrees), Qt.TransformationMode.SmoothTransformation)
    frame = QImage(turned.size(), QImage.Format.Format_RGB32)
    frame.fill(QColor("white"))
    painter = QPainter(frame)
    painter.drawImage(0, 0, turned)
    painter.end()
    return frame


@pytest.fixture
def card_png(payload):
    """The member's card as a PNG at 203 dpi, rendered by printing.cards."""
    face = CardFace("Kahve Dükkânı", "Şule Öztürk", payload[3:19], payload)
    return Image.open(io.BytesIO(render_card_png(face, dpi=203))).convert("RGB")


@pytest.fixture
def camera(qtbot):
    """A camera scanner on a hand-moved clock; its decode pool drained after the test."""
    clock = FakeClock()
    scanner = CameraScanner(clock=clock)
    yield scanner, Recorder(scanner), clock
    scanner.stop()
    scanner.wait_for_done()


def submit_and_wait(qtbot, scanner, image: QImage) -> None:
    """Submit a still image and wait for its decode to come back to the GUI thread."""
    assert scanner.submit_image(image)
    qtbot.waitUntil(lambda: not scanner.busy, timeout=5000)


@pytest.mark.parametrize("variant", ["plain", "rotated", "blurred"])
def test_a_rendered_card_is_decoded_off_the_gui_thread(camera, qtbot, card_png, payload, variant):
    scanner, seen, clock = camera
    if variant == "plain":
        image = qimage_from_pil(card_png)
    elif variant == "rotated":
        image = rotated(qimage_from_pil(card_png), 23)
    else:
        image = qimage_from_pil(card_png.filter(ImageFilter.GaussianBlur(1.2)))
    with qtbot.waitSignal(scanner.scanned, timeout=5000) as blocker:
        assert scanner.submit_image(image)
    assert blocker.args == [payload]
    qtbot.waitUntil(lambda: not scanner.busy, timeout=2000)
    assert seen.scans == [payload] and seen.errors == []


def test_a_frame_without_a_code_emits_nothing(camera, qtbot, card_png):
    scanner, seen, clock = camera
    no_code = card_png.copy()
    no_code.paste((255, 255, 255), (card_png.width // 2, 0, card_png.width, card_png.height))
    no_code.paste((255, 255, 255), (0, card_png.height // 3, card_png.width, card_png.height))
    assert decode_image(qimage_from_pil(card_png)) != []  # the card itself has a code
    submit_and_wait(qtbot, scanner, qimage_from_pil(no_code))
    submit_image = QImage(640, 480, QImage.Format.Format_RGB32)
    submit_image.fill(QColor("gray"))
    clock.now += 1
    submit_and_wait(qtbot, scanner, submit_image)
    assert seen.scans == [] and seen.errors == []


def test_the_same_card_is_not_emitted_twice_within_two_seconds(camera, qtbot, card_png, payload):
    scanner, seen, clock = camera
    image = qimage_from_pil(card_png)
    submit_and_wait(qtbot, scanner, image)
    clock.now += 1.9
    submit_and_wait(qtbot, scanner, image)
    assert seen.scans == [payload]
    clock.now += 0.2
    submit_and_wait(qtbot, scanner, image)
    assert seen.scans == [payload, payload]


def test_frames_are_dropped_while_decoding_and_above_eight_a_second(camera, qtbot, card_png):
    scanner, seen, clock = camera
    image = qimage_from_pil(card_png)
    assert scanner.submit_image(image)
    assert scanner.busy and not scanner.submit_image(image)  # one decode at a time
    qtbot.waitUntil(lambda: not scanner.busy, timeout=5000)
    clock.now += 0.1
    assert not scanner.submit_image(image)  # 100 ms after the last start: too soon
    clock.now += 0.03
    assert scanner.submit_image(image)


def test_video_frames_take_the_same_path(camera, qtbot, card_png, payload):
    scanner, seen, clock = camera
    frame = QVideoFrame(qimage_from_pil(card_png))
    with qtbot.waitSignal(scanner.scanned, timeout=5000) as blocker:
        scanner.video_sink.setVideoFrame(frame)
    assert blocker.args == [payload]


def test_the_preview_shows_video_frames_and_decodes_them(camera, qtbot, card_png, payload):
    scanner, seen, clock = camera
    preview = CameraPreview(scanner)
    assert preview.hint.text() == "Kartın karekodunu kameraya gösterin"
    assert scanner.video_sink is preview.video.videoSink()
    frame = QVideoFrame(qimage_from_pil(card_png))
    with qtbot.waitSignal(scanner.scanned, timeout=5000):
        preview.video.videoSink().setVideoFrame(frame)
    assert seen.scans == [payload] and "okundu" in preview.hint.text()
    qtbot.waitUntil(lambda: not scanner.busy, timeout=2000)
    shiboken6.delete(preview)  # the window closed: frames go to the scanner's own sink again
    clock.now += 3
    with qtbot.waitSignal(scanner.scanned, timeout=5000):
        scanner.video_sink.setVideoFrame(frame)
    assert seen.scans == [payload, payload]


def test_no_camera_is_an_error_message_never_an_exception(camera, qtbot):
    scanner, seen, clock = camera
    preview = CameraPreview(scanner)
    qtbot.addWidget(preview)
    assert scanner.start(b"no-such-camera") is False
    assert not scanner.is_active()
    assert len(seen.errors) == 1 and "Kamera bulunamadı" in seen.errors[0]
    assert preview.hint.text() == seen.errors[0]
    if not QMediaDevices.videoInputs():
        assert scanner.start() is False and len(seen.errors) == 2


def test_an_unknown_issuer_card_is_still_reported_for_the_counter_to_refuse(camera, qtbot):
    """A payload-shaped code signed by a key we do not know reaches Terminal.scan to be refused."""
    number = new_card_number()
    foreign = encode_card_payload(number, 1, new_issuer_key(42))
    face = CardFace("Başka Dükkân", "Ali Veli", number, foreign)
    scanner, seen, clock = camera
    image = QImage.fromData(QByteArray(render_card_png(face, dpi=203)))
    submit_and_wait(qtbot, scanner, image)
    assert seen.scans == [foreign]


@pytest.mark.parametrize("source", ["image", "video_frame"])
def test_decoding_runs_in_the_pool_thread_not_the_gui_thread(camera, qtbot, card_png, monkeypatch,
                                                            source):
    threads = []
    real = camera_scanner.codes_in

    def recording_codes_in(gray):
        threads.append(threading.current_thread())
        return real(gray)

    monkeypatch.setattr(camera_scanner, "codes_in", recording_codes_in)
    scanner, seen, clock = camera
    image = qimage_from_pil(card_png)
    with qtbot.waitSignal(scanner.scanned, timeout=5000):
        if source == "image":
            scanner.submit_image(image)
        else:
            scanner.video_sink.setVideoFrame(QVideoFrame(image))
    assert len(threads) == 1 and threads[0] is not threading.main_thread()


def nv12_frame(gray: Image.Image) -> QVideoFrame:
    """A camera-like NV12 (YUV 4:2:0) frame whose luma is the grayscale image, chroma neutral."""
    width, height = gray.width // 2 * 2, gray.height // 2 * 2
    frame = QVideoFrame(QVideoFrameFormat(QSize(width, height),
                                          QVideoFrameFormat.PixelFormat.Format_NV12))
    assert frame.map(QVideoFrame.MapMode.WriteOnly)
    luma, chroma, stride = frame.bits(0), frame.bits(1), frame.bytesPerLine(0)
    rows = gray.crop((0, 0, width, height)).tobytes()
    for y in range(height):
        luma[y * stride:y * stride + width] = rows[y * width:(y + 1) * width]
    chroma[:] = b"\x80" * len(chroma)
    frame.unmap()
    return frame


def test_a_yuv_camera_frame_is_converted_and_decoded(camera, qtbot, card_png, payload):
    scanner, seen, clock = camera
    with qtbot.waitSignal(scanner.scanned, timeout=5000) as blocker:
        scanner.video_sink.setVideoFrame(nv12_frame(card_png.convert("L")))
    assert blocker.args == [payload]
