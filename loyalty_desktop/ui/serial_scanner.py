"""Serial (RS-232 / USB-CDC) barcode scanners read with QSerialPort in the GUI thread.

The port is read on `readyRead`, so nothing blocks: bytes are assembled into lines ended by
CR, LF or CRLF (`domain.decoding.LineAssembler`), each non-empty line is normalised and
emitted as `scanned`. A line over 512 characters, a missing or busy port and a scanner
unplugged while open are reported through `error` with a translated message.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot
from PySide6.QtSerialPort import QSerialPort, QSerialPortInfo

from ..domain.decoding import MAX_LINE_LENGTH, LineAssembler, TooLong

PortError = QSerialPort.SerialPortError
_CONTEXT = "SerialScanner"


def _translate(text: str) -> str:
    """The Turkish source text in the user's language."""
    return QCoreApplication.translate(_CONTEXT, text)


def available_ports() -> list[str]:
    """Names of the serial ports the system lists now (for the settings screen)."""
    return sorted(info.portName() for info in QSerialPortInfo.availablePorts())


def open_error_message(port_name: str, error: PortError, detail: str) -> str:
    """What to tell the cashier when a port cannot be opened."""
    if error == PortError.DeviceNotFoundError:
        text = _translate("Seri port {port} bulunamadı. Tarayıcının takılı olduğunu ve port "
                          "adını kontrol edin.")
    elif error == PortError.PermissionError:
        text = _translate("Seri port {port} kullanımda ya da erişim izni yok. Portu kullanan "
                          "başka bir programı kapatın.")
    else:
        text = _translate("Seri port {port} açılamadı: {detail}")
    return text.format(port=port_name, detail=detail)


def lost_message(port_name: str, detail: str) -> str:
    """What to tell the cashier when an open port goes away (unplugged, I/O error)."""
    text = _translate("Seri tarayıcı bağlantısı kesildi ({port}: {detail}). Kabloyu kontrol "
                      "edip tarayıcıyı yeniden başlatın.")
    return text.format(port=port_name, detail=detail)


def too_long_message(length: int) -> str:
    """What to tell the cashier when the scanner sent a line too long to be one of our codes."""
    text = _translate("Tarayıcıdan gelen satır çok uzun ({length} karakter, en çok {limit}); "
                      "okuma yok sayıldı.")
    return text.format(length=length, limit=MAX_LINE_LENGTH)


class SerialScanner(QObject):
    """A barcode scanner on a serial port: `scanned(text)` per line, `error(message)`."""

    scanned = Signal(str)
    error = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._port = QSerialPort(self)
        self._lines = LineAssembler()
        self._opening = False  # open() failures are reported by start(), not by _port_error
        self._port.readyRead.connect(self._read)
        self._port.errorOccurred.connect(self._port_error)

    @property
    def port_name(self) -> str:
        """The name of the port last started (empty before the first start)."""
        return self._port.portName()

    def is_open(self) -> bool:
        """True while the port is open and being read."""
        return self._port.isOpen()

    def start(self, port_name: str, baud: int = 9600) -> bool:
        """Open `port_name` read-only at `baud` 8N1; False (and `error`) when it cannot."""
        self.stop()
        self._port.setPortName(port_name)
        self._port.setBaudRate(baud)
        self._port.setDataBits(QSerialPort.DataBits.Data8)
        self._port.setParity(QSerialPort.Parity.NoParity)
        self._port.setStopBits(QSerialPort.StopBits.OneStop)
        self._port.setFlowControl(QSerialPort.FlowControl.NoFlowControl)
        self._opening = True
        try:
            opened = self._port.open(QSerialPort.OpenModeFlag.ReadOnly)
        finally:
            self._opening = False
        if not opened:
            self.error.emit(open_error_message(port_name, self._port.error(),
                                               self._port.errorString()))
            self._port.clearError()
        return opened

    def stop(self) -> None:
        """Close the port and forget any half-received line."""
        if self._port.isOpen():
            self._port.close()
        self._lines.reset()

    @Slot()
    def _read(self) -> None:
        """Everything the port has now, as scans and refusals."""
        for item in self._lines.feed(bytes(self._port.readAll().data())):
            if isinstance(item, TooLong):
                self.error.emit(too_long_message(item.length))
            else:
                self.scanned.emit(item)

    @Slot(PortError)
    def _port_error(self, error: PortError) -> None:
        """A failure while the port is open: report it once and close the port."""
        if error == PortError.NoError or self._opening or not self._port.isOpen():
            return
        message = lost_message(self._port.portName(), self._port.errorString())
        self._port.clearError()
        self.stop()
        self.error.emit(message)
