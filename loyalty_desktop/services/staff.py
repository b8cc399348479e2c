"""Staff, PINs (Argon2id), lockout after wrong PINs, and manager approval."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..domain.clock import from_db, to_db
from ..domain.errors import InvalidInput, NotFound, PermissionDenied
from ..domain.ids import uuid7
from .core import TerminalCore

MAX_WRONG_PINS = 5
LOCKOUT = timedelta(minutes=15)
ROLES = ("cashier", "manager", "owner")
APPROVERS = ("manager", "owner")
_HASHER: list[Any] = []  # argon2's hasher, made on first use (its import loads a C library)


def _hasher() -> Any:
    """OWASP's minimum Argon2id profile: still slow to brute-force offline, quick at the
    counter."""
    if not _HASHER:
        from argon2 import PasswordHasher

        _HASHER.append(PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1))
    return _HASHER[0]


def check_pin_format(pin: str) -> str:
    """A PIN is 4 to 8 digits."""
    if not isinstance(pin, str) or not pin.isdigit() or not 4 <= len(pin) <= 8:
        raise InvalidInput("A PIN is 4 to 8 digits.", code="invalid_pin_format")
    return pin


class StaffMixin(TerminalCore):
    """Staff accounts and approvals."""

    def list_staff(self) -> list[dict[str, Any]]:
        """Active staff for the login screen."""
        rows = self.db.execute(
            "SELECT staff_id, name, role, locked_until FROM staff WHERE active = 1 "
            "ORDER BY CASE role WHEN 'owner' THEN 0 WHEN 'manager' THEN 1 ELSE 2 END, name"
        ).fetchall()
        return [{"staff_id": r[0], "name": r[1], "role": r[2], "locked_until": r[3]} for r in rows]

    def _create_staff(self, name: str, role: str, pin: str) -> dict[str, Any]:
        name = (name or "").strip()
        if not name:
            raise InvalidInput("Staff name is empty.", code="invalid_name")
        if role not in ROLES:
            raise InvalidInput(f"Role must be one of {', '.join(ROLES)}.", code="invalid_role")
        check_pin_format(pin)
        staff_id = uuid7()
        self.db.execute(
            "INSERT INTO staff (staff_id, name, role, pin_hash, created_at) VALUES (?,?,?,?,?)",
            [staff_id, name, role, _hasher().hash(pin), to_db(self.now())])
        self.audit("staff_added", staff_id, after={"name": name, "role": role})
        return {"staff_id": staff_id, "name": name, "role": role}

    def add_staff(self, name: str, role: str, pin: str, by_pin: str) -> dict[str, Any]:
        """Add a staff member; an owner adds anyone, a manager adds cashiers."""
        approver = self.approve(by_pin, APPROVERS, action="add_staff")
        if approver["role"] != "owner" and role != "cashier":
            raise PermissionDenied("Only an owner can add managers and owners.",
                                   code="role_not_allowed")
        with self.transaction():
            return self._create_staff(name, role, pin)

    def login(self, staff_id: str, pin: str, at: datetime | None = None) -> dict[str, Any]:
        """Check a staff member's PIN; five wrong PINs lock the account for 15 minutes."""
        now = self.moment(at)
        row = self.db.execute(
            "SELECT name, role, pin_hash, failed_attempts, locked_until FROM staff "
            "WHERE staff_id = ? AND active = 1", [staff_id]).fetchone()
        if row is None:
            raise NotFound("No such staff member.", code="staff_unknown")
        name, role, pin_hash, failed, locked_until = row
        self._refuse_if_locked(locked_until, now)
        if not _verify(pin_hash, pin):
            self._count_failure(staff_id, failed, now)
            raise PermissionDenied("Wrong PIN.", code="wrong_pin")
        with self.transaction():
            self.db.execute("UPDATE staff SET failed_attempts = 0, locked_until = NULL "
                            "WHERE staff_id = ?", [staff_id])
            self.audit("login", staff_id, staff_id=staff_id, at=now)
        return {"staff_id": staff_id, "name": name, "role": role}

    def _refuse_if_locked(self, locked_until: str | None, now: datetime) -> None:
        if locked_until and from_db(locked_until) > now:
            minutes = int((from_db(locked_until) - now).total_seconds() // 60) + 1
            raise PermissionDenied(
                f"Too many wrong PINs: locked for {minutes} more minute(s).", code="locked_out")

    def _count_failure(self, staff_id: str, failed: int, now: datetime) -> None:
        failed += 1
        locked = to_db(now + LOCKOUT) if failed >= MAX_WRONG_PINS else None
        with self.transaction():
            self.db.execute("UPDATE staff SET failed_attempts = ?, locked_until = ? "
                            "WHERE staff_id = ?", [0 if locked else failed, locked, staff_id])
            self.audit("login_failed", staff_id, after={"attempt": failed}, at=now)
            if locked:
                self.audit("locked_out", staff_id, after={"until": locked}, at=now)

    def approve(self, pin: str | None, roles: tuple[str, ...] = APPROVERS,
                action: str = "approval", at: datetime | None = None) -> dict[str, Any]:
        """Find the manager or owner whose PIN this is; wrong PINs count toward a lockout."""
        now = self.moment(at)
        self._refuse_if_locked(self.meta("approval_locked_until"), now)
        if not pin:
            raise PermissionDenied("A manager PIN is needed for this.", code="manager_pin_required")
        marks = ",".join("?" * len(roles))
        rows = self.db.execute(
            f"SELECT staff_id, name, role, pin_hash, locked_until FROM staff "
            f"WHERE active = 1 AND role IN ({marks})", list(roles)).fetchall()
        for staff_id, name, role, pin_hash, locked_until in rows:
            if _verify(pin_hash, pin):
                self._refuse_if_locked(locked_until, now)
                if self.meta("approval_failures", "0") != "0":
                    with self.transaction():
                        self.set_meta("approval_failures", "0")
                return {"staff_id": staff_id, "name": name, "role": role}
        failures = int(self.meta("approval_failures", "0") or 0) + 1
        with self.transaction():
            if failures >= MAX_WRONG_PINS:
                self.set_meta("approval_failures", "0")
                self.set_meta("approval_locked_until", to_db(now + LOCKOUT))
                self.audit("approvals_locked", action, after={"until": to_db(now + LOCKOUT)}, at=now)
            else:
                self.set_meta("approval_failures", str(failures))
            self.audit("approval_failed", action, after={"attempt": failures}, at=now)
        raise PermissionDenied("That is not a manager PIN.", code="wrong_pin")


def _verify(pin_hash: str, pin: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(pin_hash, pin or "")
    except (VerificationError, InvalidHashError):
        return False
