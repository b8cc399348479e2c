"""Local terminal settings, declared once with type, default and help text (like electrum's
simple_config): read with `setting(key)`, changed with `set_setting(key, value, manager_pin)`.

Settings are this terminal's own (printer, scanner port, language): they live in the meta
table under their key, are never synced, and every change is approved by a manager and
audited with its before and after values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..domain.errors import InvalidInput
from .staff import APPROVERS, StaffMixin


@dataclass(frozen=True)
class SettingSpec:
    """One declared setting: its type, default, allowed values and what it is for."""

    key: str
    type: type
    default: Any
    help: str
    choices: tuple[Any, ...] = ()
    minimum: int | None = None
    maximum: int | None = None


SETTINGS: dict[str, SettingSpec] = {s.key: s for s in (
    SettingSpec("autolock_minutes", int, 5, "Minutes without a touch before the screen locks.",
                minimum=1, maximum=240),
    SettingSpec("receipt_printer", str, "", "Receipt printer name; empty: none, 'file': PDF files."),
    SettingSpec("receipt_width_mm", int, 80, "Receipt paper width in millimetres.",
                choices=(80, 58)),
    SettingSpec("serial_scanner_port", str, "",
                "Serial scanner port (COM3, /dev/ttyACM0); empty: no serial scanner."),
    SettingSpec("camera_scanner", bool, False, "Read member cards with the webcam."),
    SettingSpec("language", str, "tr", "Language of the counter window.", choices=("tr", "en")),
    SettingSpec("terminal_name", str, "Kasa 1", "This counter's name on receipts and reports."),
)}

_TRUE, _FALSE = ("1", "true", "yes", "on", "evet"), ("0", "false", "no", "off", "hayır", "")


def spec_of(key: str) -> SettingSpec:
    """The declaration of a setting; an undeclared key is refused."""
    spec = SETTINGS.get(key)
    if spec is None:
        raise InvalidInput(f"Unknown setting {key!r}.", code="setting_unknown", key=key)
    return spec


def coerce_setting(spec: SettingSpec, value: Any) -> Any:
    """The value as the setting's type, checked against its choices and range."""
    if spec.type is bool:
        value = _to_bool(spec, value)
    elif spec.type is int:
        value = _to_int(spec, value)
    else:
        if not isinstance(value, str):
            raise _invalid(spec, "text")
        value = value.strip()
        if len(value) > 200:
            raise _invalid(spec, "at most 200 characters")
    if spec.choices and value not in spec.choices:
        raise _invalid(spec, "one of " + ", ".join(str(c) for c in spec.choices))
    if spec.minimum is not None and value < spec.minimum:
        raise _invalid(spec, f"at least {spec.minimum}")
    if spec.maximum is not None and value > spec.maximum:
        raise _invalid(spec, f"at most {spec.maximum}")
    return value


def _to_bool(spec: SettingSpec, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().casefold() in _TRUE + _FALSE:
        return value.strip().casefold() in _TRUE
    raise _invalid(spec, "yes or no")


def _to_int(spec: SettingSpec, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise _invalid(spec, "a whole number")


def _invalid(spec: SettingSpec, wanted: str) -> InvalidInput:
    return InvalidInput(f"Setting {spec.key} must be {wanted}.", code="invalid_setting",
                        key=spec.key)


def _encode(spec: SettingSpec, value: Any) -> str:
    """How a value is kept in the meta table (the readers of old keys understand it)."""
    if spec.type is bool:
        return "1" if value else "0"
    return str(value)


class SettingsMixin(StaffMixin):
    """Read and change this terminal's declared settings."""

    def setting(self, key: str, default: Any = None) -> Any:
        """A setting's value: the stored one, else `default`, else the declared default."""
        spec = spec_of(key)
        stored = self.meta(key)
        if stored is None:
            return spec.default if default is None else default
        try:
            return coerce_setting(spec, stored)
        except InvalidInput:  # written by hand or by an older version: fall back, do not crash
            return spec.default if default is None else default

    def settings(self) -> list[dict[str, Any]]:
        """Every declared setting with its value, default, type, choices and help text."""
        return [{"key": s.key, "value": self.setting(s.key), "default": s.default,
                 "type": s.type.__name__, "choices": list(s.choices), "help": s.help,
                 "minimum": s.minimum, "maximum": s.maximum} for s in SETTINGS.values()]

    def set_setting(self, key: str, value: Any, manager_pin: str | None,
                    at: datetime | None = None) -> dict[str, Any]:
        """Change one setting (manager PIN): one transaction with its audit row."""
        spec = spec_of(key)
        new = coerce_setting(spec, value)
        approver = self.approve(manager_pin, APPROVERS, action="set_setting", at=at)
        before = self.setting(key)
        if before != new or self.meta(key) is None:
            with self.transaction():
                self.set_meta(key, _encode(spec, new))
                self.audit("setting_changed", key, before={key: before}, after={key: new},
                           staff_id=approver["staff_id"], at=at)
        return {"key": key, "value": new, "before": before}
