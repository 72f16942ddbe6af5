"""Xapian shard servers for tests: a read-only and a writable ``xapian-tcpsrv`` per shard, on 127.0.0.1.

Each server runs in its own session: on SIGTERM ``xapian-tcpsrv`` signals its whole process
group, which would otherwise be the test runner's. Servers are stopped by their own PID.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

TCPSRV = shutil.which("xapian-tcpsrv")
#: Long enough for a loaded machine; a server that is up answers in milliseconds.
START_WAIT = 15.0


def need_xapian() -> None:
    """Skip when Xapian's binaries are not installed; fail when they are but this Python cannot load the binding."""
    if TCPSRV is None:
        pytest.skip("xapian-tcpsrv is not installed (Debian: apt-get install xapian-tools python3-xapian; .ci/run does)")
    try:
        from index import xapian_binding  # noqa: F401 - loads the binding, from Debian's folder if need be
    except ImportError as exc:
        pytest.fail(f"xapian-tcpsrv is installed but this Python cannot load the binding: {exc}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_WAIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"xapian-tcpsrv on port {port} exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.02)
    raise RuntimeError(f"xapian-tcpsrv on port {port} did not start within {START_WAIT} s")


class Server:
    """One ``xapian-tcpsrv`` process serving one database folder."""

    def __init__(self, folder: Path, port: int, *, writable: bool) -> None:
        self.folder, self.port, self.writable = folder, port, writable
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [TCPSRV or "xapian-tcpsrv", "--interface", "127.0.0.1", "--port", str(self.port), "--quiet"]
        if self.writable:
            command.append("--writable")
        # A build commits once at its end, not every 10,000 documents (the server's default).
        environment = {**os.environ, "XAPIAN_FLUSH_THRESHOLD": "10000000"}
        # What a server prints (a client that went away, say) goes to a log beside its database.
        with open(self.folder.with_name(f"{self.folder.name}-{self.port}.log"), "ab") as log:
            self.process = subprocess.Popen(
                [*command, str(self.folder)], start_new_session=True, env=environment, stdout=log, stderr=log
            )
        _wait_listening(self.port, self.process)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            os.kill(process.pid, 15)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, 9)
                process.wait()


class ShardServers:
    """``count`` shards, each a database folder with its read-only and writable server."""

    def __init__(self, root: Path, count: int) -> None:
        import xapian

        root.mkdir(parents=True, exist_ok=True)
        self.readers: list[Server] = []
        self.writers: list[Server] = []
        for number in range(count):
            folder = root / f"shard-{number}"
            xapian.WritableDatabase(str(folder), xapian.DB_CREATE_OR_OPEN).close()
            self.writers.append(Server(folder, free_port(), writable=True))
            self.readers.append(Server(folder, free_port(), writable=False))

    def start(self) -> None:
        for server in (*self.writers, *self.readers):
            server.start()

    def stop(self) -> None:
        for server in (*self.readers, *self.writers):
            server.stop()

    def shards(self) -> tuple:  # tuple[Shard, ...], typed loosely: index.xapian_engine imports xapian
        from index.xapian_engine import Address, Shard

        return tuple(Shard(Address("127.0.0.1", r.port), Address("127.0.0.1", w.port)) for r, w in zip(self.readers, self.writers))

    def settings(self) -> list[dict[str, str]]:
        """The shards as ``index.shards`` in the config."""
        return [{"read": f"127.0.0.1:{r.port}", "write": f"127.0.0.1:{w.port}"} for r, w in zip(self.readers, self.writers)]


@contextlib.contextmanager
def running(root: Path, count: int) -> Iterator[ShardServers]:
    need_xapian()
    servers = ShardServers(root, count)
    try:
        servers.start()
        yield servers
    finally:
        servers.stop()
