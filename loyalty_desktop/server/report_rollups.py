"""The report projector: folds a tenant's new events into the rollups, after the push, exactly once.

A cursor row per tenant (`report_cursors.last_seq`) says how far the rollups go. Each run reads
the events after it in server order, folds them (`report_fold`) and writes the rollups and the
new cursor in one transaction of its own, never inside a push. The cursor row is locked for
that transaction (SELECT ... FOR UPDATE on PostgreSQL, the writer lock on SQLite), so two
server processes folding at once wait for each other and the second starts where the first
stopped: no event is counted twice, none is skipped (pushes of a tenant commit in server_seq
order under the tenant's row lock, so a reader never sees a later seq without the earlier).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from orjson import dumps, loads

from ..domain.clock import DEFAULT_TZ
from ..domain.program import DEFAULT_PROGRAM, program_from_toml
from . import report_ledgers
from .report_snapshots import (
    close_months, mend_rows, months_of as snapshot_months, sql_greatest, sql_least, upsert_sql,
)
from .report_snapshots import recount as recount_snapshots
from .report_fold import (
    COUPON_COLUMNS, DAY_COLUMNS, ERASED_NAME, FLOW_COLUMNS, Delta, fold_events,
)
from .storage.base import SqlStorage
from .storage.postgres import PostgresStorage
from .storage.schema import REPORT_TABLES

BATCH = 5000  # events per transaction: bounds how long a run holds SQLite's writer lock
PG_BATCH = 50_000
STAGE_FROM = 50  # more rows than this go through a temporary table (COPY on PostgreSQL)
CHUNK = 5000  # PostgreSQL: events folded while the previous chunk's member months are written


def _additive_upsert(table: str, keys: tuple[str, ...], columns: tuple[str, ...]) -> str:
    """INSERT of one row that adds its counters to the row already there."""
    names = ("tenant_id", *keys, *columns)
    sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns)
    return (f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
            f" ON CONFLICT (tenant_id, {', '.join(keys)}) DO UPDATE SET {sets}")


_MM = "report_member_months"
_FIRST = sql_least(f"{_MM}.first_at", "excluded.first_at")
_LAST = sql_greatest(f"{_MM}.last_at", "excluded.last_at")
SQL = {
    "member": "INSERT INTO report_members (tenant_id, member_id, enrolled_at, store_id, name,"
              " card_number) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, member_id) DO NOTHING",
    "merged": "UPDATE report_members SET merged_into = ? WHERE tenant_id = ? AND member_id = ?",
    "erased": "UPDATE report_members SET erased_at = ?, name = '" + ERASED_NAME + "'"
              " WHERE tenant_id = ? AND member_id = ?",
    "renamed": "UPDATE report_members SET name = ? WHERE tenant_id = ? AND member_id = ?"
               " AND erased_at IS NULL",
    "card": "UPDATE report_members SET card_number = ? WHERE tenant_id = ? AND member_id = ?",
    "sale": "INSERT INTO report_sales (tenant_id, sale_id, member_id, month, at, total,"
            " refunded) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, sale_id) DO NOTHING",
    # a member month's first and last purchase again, once one of its sales is fully refunded
    "recount": (f"UPDATE {_MM} SET first_at = (SELECT MIN(at) FROM report_sales s WHERE"
                " s.tenant_id = ? AND s.month = ? AND s.member_id = ? AND s.total > s.refunded),"
                " last_at = (SELECT MAX(at) FROM report_sales s WHERE s.tenant_id = ? AND"
                " s.month = ? AND s.member_id = ? AND s.total > s.refunded)"
                " WHERE tenant_id = ? AND month = ? AND member_id = ?"),
    "member_month": (
        f"INSERT INTO {_MM} (tenant_id, month, member_id, sales, purchases, total, refunded,"
        " first_at, last_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, month,"
        f" member_id) DO UPDATE SET sales = {_MM}.sales + excluded.sales, purchases ="
        f" {_MM}.purchases + excluded.purchases, total = {_MM}.total + excluded.total,"
        f" refunded = {_MM}.refunded + excluded.refunded, first_at = {_FIRST}, last_at = {_LAST}"),
    "day": _additive_upsert("report_days", ("day", "store_id"), DAY_COLUMNS),
    "flow": _additive_upsert("report_flows", ("month",), FLOW_COLUMNS),
    "coupon": "INSERT INTO report_coupons (tenant_id, code, kind) VALUES (?, ?, ?)"
              " ON CONFLICT (tenant_id, code) DO NOTHING",
    "coupon_month": _additive_upsert("report_coupon_months", ("month", "kind"), COUPON_COLUMNS),
    "feedback": _additive_upsert("report_feedback", ("month", "metric", "score"), ("answers",)),
    "pending": "INSERT INTO report_wallet_pending (tenant_id, entry_id, at, available_at, wallet)"
               " VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, entry_id) DO NOTHING",
}

def _from_json(name: str, columns: str) -> str:
    """PostgreSQL: the upsert `SQL[name]` of one JSON array of rows (one statement, no
    staging); `columns` selects the tenant and each row's values from its element r."""
    head, conflict = SQL[name].split(" VALUES (")[0], SQL[name].split(" ON CONFLICT", 1)[1]
    return (f"{head} SELECT ?, {columns} FROM jsonb_array_elements(?::jsonb) AS r"
            f" ON CONFLICT{conflict}").replace("?", "%s")


_MONTHS_FROM_JSON = _from_json("member_month", "r->>0, r->>1, (r->>2)::bigint, (r->>3)::bigint,"
                               " (r->>4)::bigint, (r->>5)::bigint, r->>6, r->>7")
_SALES_FROM_JSON = _from_json("sale", "r->>0, r->>1, r->>2, r->>3, (r->>4)::bigint, 0")


def fold_pending(storage: SqlStorage, tenant_pk: int, batch: int | None = None,
                 timings: dict[str, float] | None = None) -> int:
    """Fold every event of the tenant past its cursor; the number of events folded.

    `timings`, if given, gets the seconds spent in each phase added to it (benchmarks)."""
    clock = _Phases(timings)
    if batch is None:  # PostgreSQL: readers never wait for the fold, so a day in one go
        batch = PG_BATCH if isinstance(storage, PostgresStorage) else BATCH
    folded = 0
    while True:
        with storage._write() as cur:  # noqa: SLF001 - the projector is part of the storage's users
            done = _fold_batch(storage, cur, tenant_pk, batch, clock)
            clock.lap("write")
        clock.lap("commit")
        if done is None:
            continue  # the zone changed: the rollups were emptied, fold again from the start
        folded += done
        if done < batch:
            return folded


def fold_tenants(storage: SqlStorage, tenant_pk: int | None = None,
                 batch: int | None = None) -> dict[int, int]:
    """Fold every tenant (or one), then keep its member snapshots (`close_months`): tenant
    pk -> events folded."""
    with storage._read() as cur:  # noqa: SLF001
        rows = storage._all(cur, "SELECT id FROM tenants ORDER BY id")  # noqa: SLF001
    tenants = [int(r[0]) for r in rows if tenant_pk is None or int(r[0]) == tenant_pk]
    folded = {}
    for t in tenants:
        folded[t] = fold_pending(storage, t, batch)
        close_months(storage, t)
    return folded


class _Phases:
    """Adds the time since the previous lap to a phase's total (when timings are wanted)."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings, self.last = timings, time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[phase] = self.timings.get(phase, 0.0) + now - self.last
        self.last = now


def _cover(covered: dict[tuple[str, str], list[Any]], months: dict[tuple[str, str], list[Any]],
           newest: str | None) -> None:
    """Add the member-month rows [sales, purchases, total, refunded, first_at, last_at] of
    months up to `newest` (a snapshot month) into `covered`: counters summed, the earlier
    first and the later last kept."""
    for key, row in months.items():
        if newest is None or key[0] > newest:
            continue
        into = covered.setdefault(key, [0, 0, 0, 0, None, None])
        for i in range(4):
            into[i] += row[i]
        if row[4] is not None and (into[4] is None or row[4] < into[4]):
            into[4] = row[4]
        if row[5] is not None and (into[5] is None or row[5] > into[5]):
            into[5] = row[5]


def _fold_batch(storage: SqlStorage, cur: Any, tenant: int, batch: int,
                clock: _Phases) -> int | None:
    """One transaction: lock the cursor, fold up to `batch` events, move the cursor."""
    q = storage._q  # noqa: SLF001
    storage._relax_durability(cur)  # noqa: SLF001 - lost on a crash? refolded from the cursor
    cur.execute(q("INSERT INTO report_cursors (tenant_id, last_seq, timezone) VALUES (?, 0, ?)"
                  " ON CONFLICT (tenant_id) DO NOTHING"), (tenant, DEFAULT_TZ))
    lock = " FOR UPDATE" if isinstance(storage, PostgresStorage) else ""
    cur.execute(q("SELECT last_seq, timezone, program_version, snapshots, program_doc FROM"
                  " report_cursors WHERE tenant_id = ?" + lock), (tenant,))
    last_seq, tz, program_version, snapshots, doc = cur.fetchone()
    snapshots = snapshot_months(snapshots)
    cur.execute(q("SELECT server_seq, kind, body FROM events WHERE tenant_id = ?"
                  " AND server_seq > ? ORDER BY server_seq LIMIT ?"), (tenant, int(last_seq), batch))
    rows = cur.fetchall()
    clock.lap("lock and read")
    if not rows:
        return 0
    newest = max((loads(body) for _, kind, body in rows if kind == "program_published"),
                 key=lambda e: e["payload"]["version"], default=None)
    if newest is not None and newest["payload"]["version"] > int(program_version):
        new_tz = program_from_toml(newest["payload"]["doc"]).timezone
        if new_tz != tz and int(last_seq) > 0:
            _reset(storage, cur, tenant, new_tz)
            return None
        tz = new_tz
    stores = {r[0]: int(r[1]) for r in storage._all(  # noqa: SLF001
        cur, "SELECT terminal_id, COALESCE(store_id, 0) FROM terminals WHERE tenant_id = ?",
        (tenant,))}
    covered: dict[tuple[str, str], list[Any]] = {}  # member months written in chunks that
    if isinstance(storage, PostgresStorage):  # a snapshot covers (to mend it)
        newest = snapshots[-1] if snapshots else None
        delta = _fold_overlapped(cur, tenant, rows, tz, stores, newest, covered)
    else:  # SQLite: one connection, one thread
        delta = fold_events(_parsed(rows), tz, stores)
    clock.lap("parse and fold")
    write_delta(storage, cur, tenant, delta, snapshots, covered)
    clock.lap("write")
    if delta.program is not None and delta.program[0] > int(program_version):
        doc = delta.program[1]
    program = program_from_toml(doc) if doc else DEFAULT_PROGRAM
    report_ledgers.apply(storage, cur, tenant, delta.ledger, delta.spends, delta.merged,
                         [m for _, m in delta.erased], tz, program,
                         report_ledgers.tier_rules(program))
    clock.lap("point lots and tiers")
    cur.execute(q("UPDATE report_cursors SET last_seq = ?, timezone = ? WHERE tenant_id = ?"),
                (int(rows[-1][0]), tz, tenant))
    if delta.program is not None and delta.program[0] > int(program_version):
        cur.execute(q("UPDATE report_cursors SET program_version = ?, program_doc = ?"
                      " WHERE tenant_id = ?"), (*delta.program, tenant))
    return len(rows)


def _parsed(rows: list[Any]) -> Iterator[dict[str, Any]]:
    """Each row's event, parsed as the fold reaches it: holding every parsed event at once
    makes the garbage collector walk all their dicts again and again (about 3 times the CPU)."""
    for row in rows:
        yield loads(row[-1])


def _fold_overlapped(cur: Any, t: int, rows: list[Any], tz: str, stores: dict[str, int],
                     newest: str | None, covered: dict[tuple[str, str], list[Any]]) -> Delta:
    """Fold in chunks of CHUNK events; each chunk's member months (the bulk of the writes) go
    out as one upsert in pipeline mode, so PostgreSQL writes them while the next chunk is
    parsed and folded instead of the two taking turns. What is left (days, flows, refunds,
    ...) is returned for `write_delta`; errors are raised when the pipeline ends. The chunk's
    member sales go out the same way. Member months at or before the newest snapshot month
    (`newest`) are also added to `covered`."""
    delta = Delta()
    with cur.connection.pipeline():
        for i in range(0, len(rows), CHUNK):
            fold_events(_parsed(rows[i:i + CHUNK]), tz, stores, delta)
            months, delta.member_months = delta.member_months, {}
            _cover(covered, months, newest)
            if months:  # in key order: the index is then walked, not jumped about (~25 %)
                cur.execute(_MONTHS_FROM_JSON, (t, dumps(
                    [[month, m, *v] for (month, m), v in sorted(months.items())]).decode()))
            sales, delta.sales = delta.sales, []
            if sales:
                cur.execute(_SALES_FROM_JSON, (t, dumps(sales).decode()))
    return delta


def _reset(storage: SqlStorage, cur: Any, tenant: int, tz: str) -> None:
    """Empty the tenant's rollups and key them in a new zone (the program's zone changed)."""
    for table in REPORT_TABLES:
        if table != "report_cursors":
            cur.execute(storage._q(f"DELETE FROM {table} WHERE tenant_id = ?"), (tenant,))  # noqa: SLF001
    cur.execute(storage._q("UPDATE report_cursors SET last_seq = 0, timezone = ?,"  # noqa: SLF001
                           " program_version = 0, program_doc = NULL, snapshots = '',"
                           " tier_rules = ''"
                           " WHERE tenant_id = ?"),
                (tz, tenant))


def write_delta(storage: SqlStorage, cur: Any, t: int, d: Delta, snapshots: list[str],
                covered: dict[tuple[str, str], list[Any]]) -> None:
    """Write a fold's delta into the rollups, inside the caller's transaction; the member
    snapshots (of the months `snapshots`) mended with the member months the delta changes
    (and those in `covered`, already written)."""

    def many(name: str, rows: list[tuple[Any, ...]]) -> None:
        text = upsert_sql(storage) if name == "snapshot" else SQL[name]  # dialect's collation
        if len(rows) > STAGE_FROM and text.startswith("INSERT"):
            _staged(storage, cur, text, rows)
        elif rows:
            cur.executemany(storage._q(text), rows)  # noqa: SLF001

    many("member", [(t, *m) for m in d.members])
    many("merged", [(keep, t, gone) for keep, gone in d.merged])
    many("erased", [(at, t, m) for at, m in d.erased])
    many("renamed", [(name, t, m) for name, m in d.renamed])
    many("card", [(card, t, m) for card, m in d.new_cards])
    many("sale", [(t, *sale, 0) for sale in d.sales])
    months = d.member_months
    changes, emptied = _refunds(storage, cur, t, d.refunds)
    for key, change in changes:
        row = months.setdefault(key, [0, 0, 0, 0, None, None])
        row[1] += change[1]
        row[3] += change[3]
    many("member_month", [(t, month, m, *v) for (month, m), v in months.items()])
    if emptied:  # after the member months: a sale and its full refund may share a run
        cur.executemany(storage._q(SQL["recount"]), [  # noqa: SLF001
            (t, month, m) * 3 for month, m in emptied])
    if snapshots:
        _cover(covered, months, snapshots[-1])
        many("snapshot", [(t, *row) for row in mend_rows(covered, snapshots)])
        recount_snapshots(storage, cur, t, emptied, snapshots)
    many("day", [(t, day, store, *v) for (day, store), v in d.days.items()])
    many("flow", [(t, month, *v) for month, v in d.flows.items()])
    many("coupon", [(t, code, kind) for code, kind in d.coupons.items()])
    known = _coupon_kinds(storage, cur, t, {c for _, _, c, k, _ in d.coupon_entries
                                            if not k and c not in d.coupons})
    many("coupon_month", [(t, month, kind, *v) for (month, kind), v in
                          d.coupon_months(known.get).items()])
    many("feedback", [(t, *key, n) for key, n in d.feedback.items()])
    many("pending", [(t, *p) for p in d.pending])


def _staged(storage: SqlStorage, cur: Any, insert: str, rows: list[tuple[Any, ...]]) -> None:
    """One `INSERT ... VALUES ... ON CONFLICT` for many rows: the rows go into a temporary
    table (COPY on PostgreSQL), then one INSERT ... SELECT with the same conflict clause."""
    head, rest = insert.split(" VALUES (", 1)
    conflict = rest.split(")", 1)[1]
    columns = head[head.index("(") + 1: head.rindex(")")]
    temp_table(storage, cur, "report_stage", columns.split(", "), rows)
    # WHERE true: SQLite would read ON CONFLICT as a join's ON without it
    cur.execute(f"{head} SELECT {columns} FROM report_stage WHERE true{conflict}")
    cur.execute("DROP TABLE report_stage")


def temp_table(storage: SqlStorage, cur: Any, name: str, columns: list[str],
                rows: list[tuple[Any, ...]]) -> None:
    """A temporary table of the rows (a column whose values are ints is BIGINT, else TEXT)."""
    types = ["BIGINT" if isinstance(next((r[i] for r in rows if r[i] is not None), None), int)
             else "TEXT" for i in range(len(columns))]  # a column holds one type (or None)
    defs = ", ".join(f"{c} {k}" for c, k in zip(columns, types))
    cur.execute(f"CREATE TEMP TABLE {name} ({defs})")
    if isinstance(storage, PostgresStorage):
        with cur.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        cur.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' * len(columns))})", rows)


def _refunds(storage: SqlStorage, cur: Any, t: int, refunds: list[tuple[str, int]]
             ) -> tuple[list[tuple[tuple[str, str], list[int]]], list[tuple[str, str]]]:
    """Refunds added to their member sales (`report_sales`, written earlier in the run); the
    member-month changes they make (refunded, and one purchase less when a sale becomes fully
    refunded) as additive member-month rows, and the (month, member) of each month that lost a
    purchase (its first and last purchase are recounted). A walk-in sale has no row: its
    refund is only in the day's counters."""
    summed: dict[str, int] = {}
    for sale_id, amount in refunds:
        summed[sale_id] = summed.get(sale_id, 0) + amount
    if not summed:
        return [], []
    temp_table(storage, cur, "report_stage", ["sale_id", "refunded"], list(summed.items()))
    cur.execute(storage._q(  # noqa: SLF001 - one statement, whatever the planner's statistics
        "UPDATE report_sales SET refunded = report_sales.refunded + report_stage.refunded"
        " FROM report_stage WHERE report_sales.tenant_id = ? AND report_sales.sale_id ="
        " report_stage.sale_id RETURNING report_sales.sale_id, report_sales.member_id,"
        " report_sales.month, report_sales.total, report_sales.refunded"), (t,))
    after = cur.fetchall()
    cur.execute("DROP TABLE report_stage")
    out: dict[tuple[str, str], list[int]] = {}
    emptied: dict[tuple[str, str], None] = {}
    for sale_id, member, month, total, now in after:
        was = int(now) - summed[sale_id]
        row = out.setdefault((month, member), [0, 0, 0, 0])
        row[3] += summed[sale_id]
        if int(total) > was and int(total) <= int(now):
            row[1] -= 1
            emptied[(month, member)] = None
    return list(out.items()), list(emptied)


def _coupon_kinds(storage: SqlStorage, cur: Any, t: int, codes: set[str]) -> dict[str, str]:
    """Kinds of coupons issued in earlier runs."""
    out: dict[str, str] = {}
    for chunk in _chunks(sorted(codes), 500):
        clause, params = storage._ids_clause(chunk)  # noqa: SLF001
        out.update((r[0], r[1]) for r in storage._all(  # noqa: SLF001
            cur, f"SELECT code, kind FROM report_coupons WHERE tenant_id = ? AND code {clause}",
            [t, *params]))
    return out


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def cursor_of(storage: SqlStorage, tenant_pk: int) -> tuple[int, str, str | None]:
    """(last folded server_seq, zone, program doc) of a tenant's rollups."""
    with storage._read() as cur:  # noqa: SLF001
        row = storage._one(cur, "SELECT last_seq, timezone, program_doc FROM report_cursors"  # noqa: SLF001
                           " WHERE tenant_id = ?", (tenant_pk,))
    return (0, DEFAULT_TZ, None) if row is None else (int(row[0]), row[1], row[2])
