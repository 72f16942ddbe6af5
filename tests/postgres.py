"""A throwaway PostgreSQL cluster for one test session: initdb into a temporary folder, started on 127.0.0.1, stopped by its PID.

Passwords are checked (scram-sha-256) on every connection, as on a real server; the tests
connect as ``newsdesk``, a role that owns its databases and nothing else. As root the server
runs as the ``postgres`` user (initdb refuses root). Nothing listens beyond 127.0.0.1, and the
unix socket is in the cluster's own folder.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

import psycopg
from psycopg import sql

ROLE = "newsdesk"


def binaries() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres: on PATH, else Debian's newest /usr/lib/postgresql/*/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    folders = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(folders[-1]).parent if folders else None


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on just now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Cluster:
    """A running throwaway server."""

    folder: Path
    port: int
    pid: int
    superuser_password: str
    password: str
    _numbers: Iterator[int] = field(default_factory=lambda: count(1))

    def url(self, database: str, *, password: bool = True) -> str:
        secret = f":{self.password}" if password else ""
        return f"postgresql://{ROLE}{secret}@127.0.0.1:{self.port}/{database}"

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", password=self.superuser_password, dbname="postgres", autocommit=True
        )

    def new_database(self) -> str:
        """A fresh, empty database owned by the test role; its URL (with the password)."""
        name = f"test_{next(self._numbers)}"
        with self.admin() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {} OWNER {} STRATEGY file_copy").format(sql.Identifier(name), sql.Identifier(ROLE)))
        return self.url(name)

    def stop(self) -> None:
        """Fast shutdown of the postmaster by its PID, then the folder goes."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGINT)
            deadline = time.monotonic() + 30
            while _alive(self.pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            if _alive(self.pid):
                os.kill(self.pid, signal.SIGQUIT)
        shutil.rmtree(self.folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][:1]
    except FileNotFoundError:
        return False
    return state != "Z"


def start_cluster(bin_dir: Path) -> Cluster:
    """initdb and start a cluster; it is the caller's to stop."""
    as_root = os.geteuid() == 0
    if as_root:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            raise RuntimeError("running as root, PostgreSQL needs a 'postgres' user to run as (Debian's package creates it)") from None
    folder = Path(tempfile.mkdtemp(prefix="newsdesk-pg-"))
    if as_root:
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    run_as = ["runuser", "-u", "postgres", "--"] if as_root else []
    superuser_password, password = secrets.token_hex(16), secrets.token_hex(16)
    pwfile = folder / "pwfile"
    pwfile.write_text(superuser_password + "\n")
    if as_root:
        os.chown(pwfile, owner.pw_uid, owner.pw_gid)
    try:
        initdb = subprocess.run(
            [*run_as, str(bin_dir / "initdb"), "-D", str(folder / "data"), "--no-sync", "-U", "postgres",
             "--auth=scram-sha-256", f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C.UTF-8"],
            capture_output=True, text=True,
        )
        pwfile.unlink()
        if initdb.returncode != 0:
            raise RuntimeError(f"initdb failed: {initdb.stdout}{initdb.stderr}")
        for _ in range(3):  # a free port may be taken between looking and listening
            port = free_port()
            started = subprocess.run(
                [*run_as, str(bin_dir / "pg_ctl"), "start", "-w", "-t", "30", "-D", str(folder / "data"),
                 "-l", str(folder / "server.log"),
                 "-o", f"-h 127.0.0.1 -p {port} -k {folder} -c fsync=off -c full_page_writes=off -c synchronous_commit=off"],
                capture_output=True, text=True,
            )
            if started.returncode == 0:
                break
        else:
            raise RuntimeError(f"PostgreSQL did not start: {started.stdout}{started.stderr}{_tail(folder / 'server.log')}")
        cluster = Cluster(folder, port, int((folder / "data" / "postmaster.pid").read_text().split()[0]), superuser_password, password)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    try:
        with cluster.admin() as conn:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(ROLE), sql.Literal(password)))
    except BaseException:
        cluster.stop()
        raise
    return cluster


def _tail(log: Path) -> str:
    with contextlib.suppress(OSError):
        return log.read_text()[-2000:]
    return ""
