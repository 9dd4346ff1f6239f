"""The durable job store: one SQLite file in the data directory (WAL, ``synchronous=FULL``).

The API process and every worker process open it; SQLite serialises the writers and WAL lets
status reads go on while a worker writes its progress. Each state change is one short
``BEGIN IMMEDIATE`` transaction, so a crash leaves either the old or the new state:

* ``create_job`` inserts the job, its files and one queued task per file, after the files
  are on disk (fsynced) — once it returns, the upload cannot be lost.
* ``claim`` moves the oldest queued task to ``running`` for one worker (and counts an attempt);
  ``finish`` records the file's result and deletes the task.
* ``requeue_worker`` / ``requeue_running`` put the tasks of a dead worker (or of every worker,
  at start-up after a crash) back in the queue.

The store holds no document text. File names are sanitised display names (metadata only);
``secure_delete`` overwrites deleted rows. Profiles live in the job's folder, not here.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from service.jobs.models import (
    FileRecord,
    JobRecord,
    NewFile,
    Status,
    Task,
    TaskKind,
    job_status,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, tenant TEXT NOT NULL, status TEXT NOT NULL, policy TEXT NOT NULL,
    created REAL NOT NULL, updated REAL NOT NULL);
CREATE INDEX IF NOT EXISTS jobs_by_tenant ON jobs (tenant, created);
CREATE TABLE IF NOT EXISTS files (
    job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE, idx INTEGER NOT NULL,
    name TEXT NOT NULL, kind TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL,
    pages INTEGER NOT NULL, pages_done INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL,
    exit_code INTEGER, error TEXT, revision INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (job_id, idx));
CREATE TABLE IF NOT EXISTS tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE, idx INTEGER NOT NULL,
    kind TEXT NOT NULL, revision INTEGER NOT NULL, status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, worker TEXT, created REAL NOT NULL);
CREATE INDEX IF NOT EXISTS tasks_by_status ON tasks (status, id);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value REAL NOT NULL);
"""

#: upper bounds (seconds) of the seconds-per-page histogram in ``/metrics``
PAGE_SECONDS_BUCKETS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)


class QueueFullError(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"queue full; retry after {retry_after} s")
        self.retry_after = retry_after


class BusyError(Exception):
    """The file is still being worked on (a revision must wait until it ended)."""


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()

    # -- connections ------------------------------------------------------------------------
    def _con(self) -> sqlite3.Connection:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
            con.row_factory = sqlite3.Row
            for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "secure_delete=ON"):
                con.execute(f"PRAGMA {pragma}")
            self._local.con = con
        return con

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        con = self._con()
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    def init(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._con().executescript(SCHEMA)

    def close(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None

    # -- jobs -------------------------------------------------------------------------------
    def create_job(
        self, job_id: str, tenant: str, policy: str, files: list[NewFile], queue_size: int
    ) -> None:
        now = time.time()
        with self._tx() as con:
            if self._depth(con) >= queue_size:
                raise QueueFullError(self._retry_after(con))
            con.execute(
                "INSERT INTO jobs (id, tenant, status, policy, created, updated) VALUES (?,?,?,?,?,?)",
                (job_id, tenant, Status.queued, policy, now, now),
            )
            for f in files:
                con.execute(
                    "INSERT INTO files (job_id, idx, name, kind, size, sha256, pages, status)"
                    " VALUES (?,?,?,?,?,?,?,?)",
                    (job_id, f.index, f.name, f.kind, f.size, f.sha256, f.pages, Status.queued),
                )
                self._enqueue(con, job_id, f.index, TaskKind.redact, 0, now)

    def check_room(self, queue_size: int) -> None:
        """Raise ``QueueFullError`` if no job can be added now (checked again on insert)."""
        con = self._con()
        if self._depth(con) >= queue_size:
            raise QueueFullError(self._retry_after(con))

    @staticmethod
    def _depth(con: sqlite3.Connection) -> int:
        return int(con.execute("SELECT COUNT(DISTINCT job_id) FROM tasks").fetchone()[0])

    @staticmethod
    def _enqueue(
        con: sqlite3.Connection, job_id: str, idx: int, kind: TaskKind, revision: int, now: float
    ) -> None:
        con.execute(
            "INSERT INTO tasks (job_id, idx, kind, revision, status, created) VALUES (?,?,?,?,?,?)",
            (job_id, idx, kind, revision, Status.queued, now),
        )

    def _retry_after(self, con: sqlite3.Connection) -> int:
        """Seconds until the queue has room, estimated from the pages waiting."""
        pages = con.execute(
            "SELECT COALESCE(SUM(f.pages - f.pages_done), 0) FROM tasks t"
            " JOIN files f ON f.job_id = t.job_id AND f.idx = t.idx"
        ).fetchone()[0]
        counters = self._counters(con)
        done = counters.get("pages_processed", 0.0)
        per_page = counters.get("page_seconds_sum", 0.0) / done if done else 3.0
        workers = max(1, con.execute("SELECT COUNT(DISTINCT worker) FROM tasks WHERE worker IS NOT NULL").fetchone()[0])
        return int(min(3600, max(1, pages * per_page / workers / 4)))

    def get_job(self, job_id: str, tenant: str | None = None) -> JobRecord | None:
        con = self._con()
        row = con.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None or (tenant is not None and row["tenant"] != tenant):
            return None
        return self._job(con, row)

    def list_jobs(self, tenant: str, limit: int = 100, offset: int = 0) -> list[JobRecord]:
        con = self._con()
        rows = con.execute(
            "SELECT * FROM jobs WHERE tenant = ? ORDER BY created DESC, id LIMIT ? OFFSET ?",
            (tenant, limit, offset),
        ).fetchall()
        return [self._job(con, r) for r in rows]

    @staticmethod
    def _job(con: sqlite3.Connection, row: sqlite3.Row) -> JobRecord:
        files = con.execute(
            "SELECT idx, name, kind, size, pages, pages_done, status, exit_code, error, revision"
            " FROM files WHERE job_id = ? ORDER BY idx",
            (row["id"],),
        ).fetchall()
        return JobRecord(
            id=row["id"],
            tenant=row["tenant"],
            status=Status(row["status"]),
            policy=row["policy"],
            created=row["created"],
            updated=row["updated"],
            files=tuple(_file(f) for f in files),
        )

    def delete_job(self, job_id: str, tenant: str | None = None) -> bool:
        with self._tx() as con:
            if tenant is None:
                cur = con.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
            else:
                cur = con.execute("DELETE FROM jobs WHERE id = ? AND tenant = ?", (job_id, tenant))
            return cur.rowcount > 0

    def job_ids(self) -> set[str]:
        return {r[0] for r in self._con().execute("SELECT id FROM jobs")}

    def expired(self, before: float) -> list[str]:
        """Jobs created before ``before`` that no worker is busy with."""
        rows = self._con().execute(
            "SELECT id FROM jobs WHERE created < ? AND id NOT IN"
            " (SELECT job_id FROM tasks WHERE status = ?)",
            (before, Status.running),
        )
        return [r[0] for r in rows]

    # -- revisions --------------------------------------------------------------------------
    def request_revision(self, job_id: str, tenant: str, idx: int, revision: int, queue_size: int) -> None:
        """Queue revision ``revision`` of file ``idx`` (the one after its current revision).
        Raises ``BusyError`` while the file is queued or running or when another revision got
        there first, ``QueueFullError`` when the queue is full, ``KeyError`` when there is no
        such job or file for this tenant."""
        now = time.time()
        with self._tx() as con:
            row = con.execute(
                "SELECT f.status, f.revision FROM files f JOIN jobs j ON j.id = f.job_id"
                " WHERE j.id = ? AND j.tenant = ? AND f.idx = ?",
                (job_id, tenant, idx),
            ).fetchone()
            if row is None:
                raise KeyError(idx)
            if row["status"] in (Status.queued, Status.running):
                raise BusyError(f"file {idx} is {row['status']}")
            if self._depth(con) >= queue_size:
                raise QueueFullError(self._retry_after(con))
            if int(row["revision"]) + 1 != revision:
                raise BusyError(f"file {idx} was revised meanwhile")
            con.execute(
                "UPDATE files SET status = ?, pages_done = 0, revision = ?, exit_code = NULL,"
                " error = NULL WHERE job_id = ? AND idx = ?",
                (Status.queued, revision, job_id, idx),
            )
            self._enqueue(con, job_id, idx, TaskKind.revise, revision, now)
            self._refresh(con, job_id, now)

    # -- tasks ------------------------------------------------------------------------------
    def claim(self, worker: str) -> Task | None:
        now = time.time()
        with self._tx() as con:
            row = con.execute(
                "SELECT t.*, j.policy FROM tasks t JOIN jobs j ON j.id = t.job_id"
                " WHERE t.status = ? ORDER BY t.id LIMIT 1",
                (Status.queued,),
            ).fetchone()
            if row is None:
                return None
            con.execute(
                "UPDATE tasks SET status = ?, attempts = attempts + 1, worker = ? WHERE id = ?",
                (Status.running, worker, row["id"]),
            )
            con.execute(
                "UPDATE files SET status = ?, pages_done = 0 WHERE job_id = ? AND idx = ?",
                (Status.running, row["job_id"], row["idx"]),
            )
            self._refresh(con, row["job_id"], now)
            return Task(
                id=row["id"], job_id=row["job_id"], file_index=row["idx"], kind=TaskKind(row["kind"]),
                revision=row["revision"], attempts=row["attempts"] + 1, policy=row["policy"],
            )

    def page_done(self, task: Task) -> None:
        with self._tx() as con:
            con.execute(
                "UPDATE files SET pages_done = MIN(pages, pages_done + 1) WHERE job_id = ? AND idx = ?",
                (task.job_id, task.file_index),
            )

    def finish(self, task: Task, exit_code: int, error: str | None, pages: int, seconds: float) -> bool:
        """Record a file's result and end its task; False if the job was deleted meanwhile."""
        now = time.time()
        status = Status.done if exit_code == 0 else Status.failed
        with self._tx() as con:
            cur = con.execute(
                "UPDATE files SET status = ?, exit_code = ?, error = ?, pages_done = pages"
                " WHERE job_id = ? AND idx = ?",
                (status, exit_code, error, task.job_id, task.file_index),
            )
            con.execute("DELETE FROM tasks WHERE id = ?", (task.id,))
            if cur.rowcount == 0:
                return False
            self._refresh(con, task.job_id, now)
            if pages:
                self._observe_pages(con, pages, seconds)
            self._count(con, f"files_{status}", 1)
            return True

    def requeue_worker(self, worker: str, crashed: bool) -> int:
        """Put a stopped worker's tasks back in the queue. A graceful stop does not count as an
        attempt; a crash does (``claim`` counted it)."""
        now = time.time()
        with self._tx() as con:
            rows = con.execute(
                "SELECT id, job_id, idx FROM tasks WHERE status = ? AND worker = ?", (Status.running, worker)
            ).fetchall()
            for r in rows:
                self._requeue(con, r, crashed, now)
            return len(rows)

    def requeue_running(self) -> int:
        """At start-up: whatever was running when the service last stopped runs again."""
        now = time.time()
        with self._tx() as con:
            rows = con.execute("SELECT id, job_id, idx FROM tasks WHERE status = ?", (Status.running,)).fetchall()
            for r in rows:
                self._requeue(con, r, True, now)
            return len(rows)

    def _requeue(self, con: sqlite3.Connection, row: sqlite3.Row, crashed: bool, now: float) -> None:
        attempts = "attempts" if crashed else "MAX(0, attempts - 1)"
        con.execute(
            f"UPDATE tasks SET status = ?, worker = NULL, attempts = {attempts} WHERE id = ?",
            (Status.queued, row["id"]),
        )
        con.execute(
            "UPDATE files SET status = ?, pages_done = 0 WHERE job_id = ? AND idx = ?",
            (Status.queued, row["job_id"], row["idx"]),
        )
        self._refresh(con, row["job_id"], now)

    @staticmethod
    def _refresh(con: sqlite3.Connection, job_id: str, now: float) -> None:
        statuses = [Status(r[0]) for r in con.execute("SELECT status FROM files WHERE job_id = ?", (job_id,))]
        con.execute(
            "UPDATE jobs SET status = ?, updated = ? WHERE id = ?", (job_status(statuses), now, job_id)
        )

    # -- metrics ----------------------------------------------------------------------------
    def counts_by_state(self) -> dict[str, int]:
        rows = self._con().execute("SELECT status, COUNT(*) FROM jobs GROUP BY status")
        out = {s.value: 0 for s in Status}
        out.update({r[0]: r[1] for r in rows})
        return out

    def queue_depth(self) -> int:
        return int(self._con().execute("SELECT COUNT(*) FROM tasks WHERE status = ?", (Status.queued,)).fetchone()[0])

    def counters(self) -> dict[str, float]:
        return self._counters(self._con())

    @staticmethod
    def _counters(con: sqlite3.Connection) -> dict[str, float]:
        return {r[0]: r[1] for r in con.execute("SELECT name, value FROM counters")}

    @staticmethod
    def _count(con: sqlite3.Connection, name: str, value: float) -> None:
        con.execute(
            "INSERT INTO counters (name, value) VALUES (?, ?)"
            " ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
            (name, value),
        )

    def _observe_pages(self, con: sqlite3.Connection, pages: int, seconds: float) -> None:
        per_page = seconds / pages
        self._count(con, "pages_processed", pages)
        self._count(con, "page_seconds_sum", seconds)
        for bound in PAGE_SECONDS_BUCKETS:
            if per_page <= bound:
                self._count(con, f"page_seconds_le_{bound}", pages)


def _file(row: sqlite3.Row) -> FileRecord:
    return FileRecord(
        index=row["idx"], name=row["name"], kind=row["kind"], size=row["size"], pages=row["pages"],
        pages_done=row["pages_done"], status=Status(row["status"]), exit_code=row["exit_code"],
        error=row["error"], revision=row["revision"],
    )
