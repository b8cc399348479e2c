"""Shop set-up, the program document, backups and the consistency check."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from ..domain import cards as cardrules
from ..domain.clock import to_db, zone
from ..domain.errors import InvalidInput, Refused
from ..domain.program import Program, program_from_toml, program_to_toml, replace_version
from ..store import database as dbm
from ..store.ledger_repo import cache_matches_ledger
from ..store.rollups import rollups_match_ledger
from .sales import SalesMixin
from .staff import StaffMixin

LANGUAGES = ("tr", "en")


class AdminMixin(SalesMixin, StaffMixin):
    """Owner and maintenance use cases."""

    def init_shop(self, shop_name: str, owner_name: str, owner_pin: str, language: str = "tr",
                  timezone: str = "Europe/Istanbul", program: Program | None = None,
                  at: datetime | None = None) -> dict[str, Any]:
        """First-run set-up: shop, owner, issuer key, program version 1."""
        if self.initialised:
            raise Refused("This terminal already has a shop.", code="already_initialised")
        if not shop_name or not shop_name.strip():
            raise InvalidInput("The shop name is empty.", code="invalid_name")
        if language not in LANGUAGES:
            raise InvalidInput("Language must be tr or en.", code="invalid_language")
        program = program or Program()
        program_from_toml(program_to_toml(program))  # validates, timezone included
        try:
            zone(timezone)
        except Exception:
            raise InvalidInput(f"Unknown time zone {timezone!r}.", code="invalid_timezone") from None
        moment = self.moment(at)
        known = {r[0] for r in self.db.execute("SELECT key_id FROM issuer_keys")}
        import secrets

        key = cardrules.new_issuer_key(secrets.choice([k for k in range(1, 100) if k not in known]))
        with self.transaction():
            self.set_meta("shop_name", shop_name.strip())
            self.set_meta("language", language)
            self.set_meta("timezone", timezone)
            self.set_meta("created_at", to_db(moment))
            self.db.execute("INSERT INTO issuer_keys (key_id, public_key, private_key, created_at) "
                            "VALUES (?,?,?,?)", [key.key_id, key.public_bytes, key.private_bytes,
                                                 to_db(moment)])
            # Other terminals of a chain verify this terminal's cards with its public key.
            self.record("issuer_key_published", None, moment,
                        {"key_id": key.key_id, "public_key": key.public_bytes.hex()})
            owner = self._create_staff(owner_name, "owner", owner_pin)
            self._publish(replace_version(program, 1), moment, owner["staff_id"])
        return {"shop_name": shop_name.strip(), "terminal_id": self.terminal_id,
                "owner": owner, "program_version": 1, "data_dir": str(self.data_dir)}

    def _publish(self, program: Program, at: datetime, staff_id: str | None) -> None:
        self.record("program_published", None, at,
                    {"version": program.version, "doc": program_to_toml(program)})
        self.audit("program_published", str(program.version), after={"version": program.version},
                   staff_id=staff_id, at=at)
        self._forget_program()

    def publish_program(self, toml_text: str, owner_pin: str,
                        at: datetime | None = None) -> dict[str, Any]:
        """Validate and publish a new program version (owner PIN)."""
        approver = self.approve(owner_pin, roles=("owner",), action="publish_program")
        program = program_from_toml(toml_text)
        version = self.program.version + 1
        moment = self.moment(at)
        with self.transaction():
            self._publish(replace_version(program, version), moment, approver["staff_id"])
        return {"program_version": version}

    @property
    def shop(self) -> dict[str, Any]:
        """Shop settings for screens and receipts."""
        return {"shop_name": self.meta("shop_name"), "language": self.language,
                "timezone": self.timezone, "terminal_id": self.terminal_id,
                "terminal_name": self.meta("terminal_name", "Kasa 1")}

    def backup(self) -> dict[str, Any]:
        """Write a rotating backup now."""
        return self.note_backup(dbm.snapshot_backup(self.data_dir))

    def note_backup(self, path: Path) -> dict[str, Any]:
        """Audit a backup made with store.database.snapshot_backup (e.g. on another thread)."""
        with self.transaction():
            self.audit("backup", path.name)
        return {"path": str(path), "size": path.stat().st_size}

    def backups(self) -> list[dict[str, Any]]:
        """Existing backups, newest first."""
        return [{"path": str(p), "name": p.name, "size": p.stat().st_size}
                for p in dbm.list_backups(self.data_dir)]

    def check(self) -> dict[str, Any]:
        """Integrity check, ledger immutability and cache-versus-ledger comparison."""
        integrity = dbm.integrity_ok(self.db)
        members = [r[0] for r in self.db.execute(
            "SELECT member_id FROM members WHERE merged_into IS NULL").fetchall()]
        mismatched = [m for m in members if not cache_matches_ledger(self.db, m)]
        rollups = rollups_match_ledger(self.db)
        fk = self.db.execute("PRAGMA foreign_key_check").fetchall()
        gaps = self.db.execute(
            "SELECT COUNT(*) FROM (SELECT terminal_id, MAX(seq) AS mx, COUNT(*) AS n FROM events "
            "GROUP BY terminal_id) WHERE mx != n").fetchone()[0]
        counts = {t: self.db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                  for t in ("members", "sales", "refunds", "events", "ledger")}
        return {"ok": integrity and not mismatched and not rollups and not fk and gaps == 0,
                "integrity": integrity, "members_checked": len(members),
                "cache_mismatches": mismatched[:20], "rollup_mismatches": rollups[:20],
                "foreign_key_problems": len(fk),
                "sequence_gaps": gaps, "counts": counts,
                "sqlite_version": sqlite3.sqlite_version,
                "sqlite_note": dbm.sqlite_version_note()}


def backup_path(data_dir: Path, name: str) -> Path:
    """A backup file by name or path, refusing anything outside the backups folder."""
    candidate = Path(name)
    if not candidate.is_absolute():
        candidate = data_dir / dbm.BACKUP_DIR / name
    if not candidate.exists():
        raise InvalidInput(f"No backup {name!r}.", code="backup_unknown")
    return candidate


def snapshot_backup(data_dir: Path) -> Path:
    """A rotating backup taken on the caller's thread through its own read-only connection,
    while the terminal keeps selling; audit it afterwards with `Terminal.note_backup`."""
    return dbm.snapshot_backup(data_dir)
