"""The relayer's durable state in one SQLite file (WAL mode).

What it has read from the chain (the cursor, with recent block hashes to notice a reorg), the
jobs it must deliver and how that went, the settlement transactions it recorded *before*
broadcasting them, and the jobs it knows are finished. Every change is one transaction, so a
relayer killed at any instant restarts from a consistent state.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from veritee.exceptions import ConfigError
from veritee.protocol import SignedBatch
from veritee.relayer.records import Attempt, Cursor, DeliveryRow, NewJob, Submission

__all__ = ["RelayerStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS checkpoints (number INTEGER PRIMARY KEY, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (
    job_id INTEGER PRIMARY KEY, worker TEXT NOT NULL, payload TEXT NOT NULL,
    deadline INTEGER NOT NULL, block INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',  -- pending | delivered | refused | abandoned
    attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL DEFAULT 0,
    last_error TEXT, delivered_at REAL);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, next_attempt_at);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, worker TEXT NOT NULL, batch TEXT NOT NULL,
    signature TEXT NOT NULL,
    state TEXT NOT NULL,  -- recorded | sent | confirmed | reverted | dropped
    nonce INTEGER, tx_hashes TEXT NOT NULL DEFAULT '[]', created_at REAL NOT NULL,
    error TEXT);
CREATE INDEX IF NOT EXISTS submissions_signature ON submissions (signature);
CREATE TABLE IF NOT EXISTS submission_jobs (
    submission_id INTEGER NOT NULL, job_id INTEGER NOT NULL,
    PRIMARY KEY (submission_id, job_id));
CREATE TABLE IF NOT EXISTS finished (
    job_id INTEGER PRIMARY KEY, status INTEGER NOT NULL, block INTEGER NOT NULL);
"""
_OPEN = ("recorded", "sent")
_KEEP_CHECKPOINTS = 256


class RelayerStore:
    """SQLite state of one relayer account on one deployment; safe to share between threads."""

    def __init__(self, path: str | Path) -> None:
        if str(path) != ":memory:":
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            self._db.close()
            raise ConfigError(f"relayer database {path} cannot be opened: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _rows(self, sql: str, *args: object) -> list[tuple[Any, ...]]:
        with self._lock:
            return list(self._db.execute(sql, args).fetchall())

    def bind(self, **identity: str) -> None:
        """Ties the file to one chain, Jobs contract and account; refuses a file of another."""
        with self._tx() as db:
            for key, value in identity.items():
                row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
                if row is None:
                    db.execute("INSERT INTO meta VALUES (?, ?)", (key, value))
                elif row[0] != value:
                    raise ConfigError(
                        f"relayer database belongs to {key} {row[0]}, not {value}: "
                        "use another db_path for another chain, deployment or account"
                    )

    # -- the chain cursor --------------------------------------------------------------------

    def cursor(self) -> Cursor | None:
        rows = self._rows("SELECT number, hash FROM checkpoints ORDER BY number DESC LIMIT 1")
        return Cursor(int(rows[0][0]), str(rows[0][1])) if rows else None

    def checkpoints(self) -> list[tuple[int, str]]:
        return [(int(n), str(h)) for n, h in self._rows("SELECT number, hash FROM checkpoints")]

    def advance(
        self, number: int, block_hash: str, jobs: Sequence[NewJob], finished: Mapping[int, int]
    ) -> int:
        """Records the events of the blocks up to ``number`` and moves the cursor there.

        Known jobs are left as they are; returns how many jobs were new.
        """
        with self._tx() as db:
            before = db.total_changes
            db.executemany(
                "INSERT OR IGNORE INTO deliveries (job_id, worker, payload, deadline, block) "
                "VALUES (?, ?, ?, ?, ?)",
                [(j.job_id, j.worker, j.payload, j.deadline, j.block) for j in jobs],
            )
            added = db.total_changes - before
            self._finish(db, finished, number)
            db.execute("INSERT OR REPLACE INTO checkpoints VALUES (?, ?)", (number, block_hash))
            db.execute("DELETE FROM checkpoints WHERE number <= ?", (number - _KEEP_CHECKPOINTS,))
            return added

    def rewind(self, number: int) -> None:
        """Forgets what was read from blocks after ``number`` (they were reorganised away)."""
        with self._tx() as db:
            db.execute("DELETE FROM checkpoints WHERE number > ?", (number,))
            db.execute("DELETE FROM deliveries WHERE block > ?", (number,))
            db.execute("DELETE FROM finished WHERE block > ?", (number,))

    # -- deliveries --------------------------------------------------------------------------

    def due(self, now: float, chain_time: int, limit: int) -> list[DeliveryRow]:
        """Jobs to (re)deliver now: pending, due, not finished and not past their deadline."""
        return self._deliveries(
            "d.state = 'pending' AND d.next_attempt_at <= ? AND d.deadline > ? "
            "ORDER BY d.next_attempt_at, d.job_id LIMIT ?",
            now,
            chain_time,
            limit,
        )

    def delivery(self, job_id: int) -> DeliveryRow | None:
        found = self._deliveries("d.job_id = ?", job_id)
        return found[0] if found else None

    def _deliveries(self, where: str, *args: object) -> list[DeliveryRow]:
        rows = self._rows(
            "SELECT d.job_id, d.worker, d.payload, d.deadline, d.state, d.attempts, "  # noqa: S608 - fixed clauses
            "d.next_attempt_at, d.last_error, d.delivered_at FROM deliveries d "
            "WHERE d.job_id NOT IN (SELECT job_id FROM finished) AND " + where,
            *args,
        )
        return [DeliveryRow(*row) for row in rows]

    def record_attempts(self, attempts: Sequence[Attempt], now: float) -> None:
        with self._tx() as db:
            db.executemany(
                "UPDATE deliveries SET state = ?, attempts = attempts + 1, last_error = ?, "
                "next_attempt_at = ?, delivered_at = CASE WHEN ? = 'delivered' "
                "THEN COALESCE(delivered_at, ?) ELSE delivered_at END WHERE job_id = ?",
                [(a.state, a.error, a.next_attempt_at, a.state, now, a.job_id) for a in attempts],
            )

    def outstanding(self, chain_time: int) -> dict[str, tuple[int, float]]:
        """Per worker: jobs delivered and still to settle, and when the oldest was delivered."""
        rows = self._rows(
            "SELECT worker, COUNT(*), MIN(delivered_at) FROM deliveries WHERE state = "
            "'delivered' AND deadline > ? AND job_id NOT IN (SELECT job_id FROM finished) AND "
            "job_id NOT IN (SELECT j.job_id FROM submission_jobs j JOIN submissions s ON "
            "s.id = j.submission_id WHERE s.state IN (?, ?)) GROUP BY worker",
            chain_time,
            *_OPEN,
        )
        return {str(w): (int(n), float(t)) for w, n, t in rows}

    def overdue(self, chain_time: int, limit: int) -> list[int]:
        """Unfinished jobs past their deadline that no open submission carries."""
        rows = self._rows(
            "SELECT job_id FROM deliveries WHERE deadline < ? AND job_id NOT IN "
            "(SELECT job_id FROM finished) AND job_id NOT IN (SELECT j.job_id FROM "
            "submission_jobs j JOIN submissions s ON s.id = j.submission_id WHERE s.state IN "
            "(?, ?)) ORDER BY deadline, job_id LIMIT ?",
            chain_time,
            *_OPEN,
            limit,
        )
        return [int(row[0]) for row in rows]

    def assigned(self, job_ids: Sequence[int]) -> dict[int, str]:
        """The worker each known job was submitted for, as the (confirmed) event said."""
        marks = ",".join("?" * len(job_ids))
        rows = self._rows(
            f"SELECT job_id, worker FROM deliveries WHERE job_id IN ({marks})",  # noqa: S608 - only "?"
            *job_ids,
        )
        return {int(j): str(w) for j, w in rows}

    # -- finished jobs -----------------------------------------------------------------------

    def _finish(self, db: sqlite3.Connection, finished: Mapping[int, int], block: int) -> None:
        db.executemany(
            "INSERT OR IGNORE INTO finished VALUES (?, ?, ?)",
            [(job, status, block) for job, status in finished.items()],
        )

    def mark_finished(self, finished: Mapping[int, int], block: int) -> None:
        with self._tx() as db:
            self._finish(db, finished, block)

    def finished(self, job_id: int) -> int | None:
        """The final on-chain status (a ``JobStatus`` value) of a job known finished."""
        rows = self._rows("SELECT status FROM finished WHERE job_id = ?", job_id)
        return int(rows[0][0]) if rows else None

    # -- submissions -------------------------------------------------------------------------

    def record_submission(self, batch: SignedBatch, now: float) -> int | None:
        """Records a batch about to be sent; None if this very batch may still be mined.

        The same signed batch is recorded again only once every earlier submission of it is
        known dead (dropped, or reverted), never while one is open or after one confirmed.
        """
        signature = "0x" + batch.signature.hex()
        with self._tx() as db:
            live = db.execute(
                "SELECT 1 FROM submissions WHERE signature = ? AND state IN (?, ?, ?)",
                (signature, *_OPEN, "confirmed"),
            ).fetchone()
            if live:
                return None
            row = db.execute(
                "INSERT INTO submissions (worker, batch, signature, state, created_at) "
                "VALUES (?, ?, ?, 'recorded', ?) RETURNING id",
                (batch.worker, json.dumps(batch.to_json()), signature, now),
            ).fetchone()
            db.executemany(
                "INSERT INTO submission_jobs VALUES (?, ?)", [(row[0], j) for j in batch.job_ids]
            )
            return int(row[0])

    def record_broadcast(self, submission_id: int, nonce: int, tx_hash: str) -> None:
        """Notes a transaction hash (and its nonce) about to be broadcast for a submission."""
        with self._tx() as db:
            (hashes,) = db.execute(
                "SELECT tx_hashes FROM submissions WHERE id = ?", (submission_id,)
            ).fetchone()
            listed = [*json.loads(hashes), tx_hash]
            db.execute(
                "UPDATE submissions SET state = 'sent', nonce = ?, tx_hashes = ? WHERE id = ?",
                (nonce, json.dumps(listed), submission_id),
            )

    def close_submission(
        self,
        submission_id: int,
        state: str,
        finished: Mapping[int, int],
        block: int,
        error: str | None = None,
    ) -> None:
        """Ends a submission (confirmed, reverted or dropped) with what the chain now says."""
        with self._tx() as db:
            db.execute(
                "UPDATE submissions SET state = ?, error = ? WHERE id = ?",
                (state, error, submission_id),
            )
            self._finish(db, finished, block)

    def submissions(self, *states: str) -> list[Submission]:
        wanted = states or ("recorded", "sent", "confirmed", "reverted", "dropped")
        marks = ",".join("?" * len(wanted))
        rows = self._rows(
            "SELECT id, worker, batch, state, nonce, tx_hashes, created_at, error FROM "  # noqa: S608 - only "?"
            f"submissions WHERE state IN ({marks}) ORDER BY id",
            *wanted,
        )
        return [
            Submission(
                int(i),
                str(w),
                SignedBatch.from_json(json.loads(str(b))),
                str(s),
                None if n is None else int(n),
                tuple(json.loads(str(h))),
                float(c),
                None if e is None else str(e),
            )
            for i, w, b, s, n, h, c, e in rows
        ]

    def in_flight(self) -> dict[int, int]:
        """Job id -> id of the open submission carrying it."""
        rows = self._rows(
            "SELECT j.job_id, j.submission_id FROM submission_jobs j JOIN submissions s ON "
            "s.id = j.submission_id WHERE s.state IN (?, ?)",
            *_OPEN,
        )
        return {int(j): int(s) for j, s in rows}

    def counts(self) -> dict[str, int]:
        """How many jobs are in each delivery state, and how many are finished."""
        found = {
            str(s): int(n)
            for s, n in self._rows("SELECT state, COUNT(*) FROM deliveries GROUP BY state")
        }
        found["finished"] = int(self._rows("SELECT COUNT(*) FROM finished")[0][0])
        return found
