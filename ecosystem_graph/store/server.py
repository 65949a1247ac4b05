"""A local Bolt server (ArcadeDB from the ``arcadedb-embedded`` wheel) in a child process, for tests and ``db serve``.

The server runs in its own Python process (``python -m ecosystem_graph.store.server``) so that its Java
runtime, its threads and its log directory stay out of the caller's process. The parent passes the root
password through the environment (never the command line, which other users can read), waits for a
``ready.json`` file the child writes once the Bolt port accepts connections, and stops the child with
SIGTERM (the child then shuts ArcadeDB down cleanly). ``LOAD CSV`` on this server cannot read its files
(``file:///`` URLs and bare paths are refused).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import StoreConnectionError, StoreError

__all__ = [
    "SERVER_USER",
    "DEFAULT_DATABASE",
    "BoltServer",
    "free_port",
    "server_available",
    "start_server",
]

SERVER_USER = "root"
"""ArcadeDB's administrator account: the user every Bolt client of this server logs in as."""

DEFAULT_DATABASE = "ecograph"

_PASSWORD_ENV = "ECOGRAPH_SERVER_PASSWORD"
_READY_FILE = "ready.json"
_LOG_FILE = "server.log"
_LOAD_CSV_FILE_URLS = "arcadedb.opencypher.loadCsv.allowFileUrls"


def server_available() -> bool:
    """True when the ``arcadedb-embedded`` wheel (the ``server`` extra) is installed."""
    import importlib.util

    return importlib.util.find_spec("arcadedb_embedded") is not None


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@dataclass
class BoltServer:
    """A running local Bolt server: what a client needs to connect, and ``stop()``.

    ``uri``, ``user``, ``password`` and ``database`` are exactly what :func:`ecosystem_graph.store.neo4j.connect`
    takes. ``repr()`` never shows the password.
    """

    uri: str
    user: str
    password: str = field(repr=False)
    database: str
    data_dir: Path
    http_port: int
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def log_file(self) -> Path:
        return self.data_dir / _LOG_FILE

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 60.0) -> None:
        """Stop the server (SIGTERM, then SIGKILL after ``timeout`` seconds); safe to call twice."""
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def create_database(self, name: str) -> None:
        """Create another database on this server (through ArcadeDB's HTTP API, as root)."""
        import base64
        import urllib.error
        import urllib.request

        host = urlsplit(self.uri).hostname
        token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        request = urllib.request.Request(
            f"http://{host}:{self.http_port}/api/v1/server",
            data=json.dumps({"command": f"create database {_check_db_name(name)}"}).encode(),
            headers={"Authorization": f"Basic {token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            raise StoreError(f"could not create database '{name}': HTTP {exc.code}") from None
        except OSError as exc:
            raise StoreConnectionError(f"could not create database '{name}': {exc}") from None

    def __enter__(self) -> "BoltServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _check_db_name(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,62}", name):
        raise StoreError(f"database name '{name}' must be letters, digits and _ (starting with a letter)")
    return name


def start_server(
    data_dir: str | os.PathLike,
    password: str,
    *,
    bolt_port: int | None = None,
    http_port: int | None = None,
    database: str = DEFAULT_DATABASE,
    host: str = "127.0.0.1",
    heap: str = "1g",
    timeout: float = 180.0,
) -> BoltServer:
    """Start ArcadeDB with its Bolt plugin in a child process and wait until it accepts connections.

    Parameters
    ----------
    data_dir : path
        Directory for the databases, the server's configuration and its log (created if missing).
        A directory used before keeps its data: the server opens the databases in it.
    password : str
        Root password (at least 8 characters, ArcadeDB's rule); clients log in as ``root`` with it.
    bolt_port, http_port : int, optional
        Ports on ``host``; free ones are picked when not given.
    database : str
        Database created (if missing) and served.
    heap : str
        Java heap limit, e.g. ``"1g"``.

    Raises
    ------
    StoreError
        The wheel is missing, the password is too short, or the server did not start (the message
        names the log file to read).
    """
    if not server_available():
        raise StoreError("the local Bolt server needs the 'server' extra: pip install 'ecosystem-graph[server]' "
                         "(it installs arcadedb-embedded, Linux x86_64 only)")
    if len(password) < 8:
        raise StoreError("the server password must have at least 8 characters")
    _check_db_name(database)
    data = Path(data_dir).resolve()
    data.mkdir(parents=True, exist_ok=True)
    ready = data / _READY_FILE
    ready.unlink(missing_ok=True)
    bolt_port = bolt_port or free_port(host)
    http_port = http_port or free_port(host)
    env = dict(os.environ)
    env[_PASSWORD_ENV] = password
    args = [sys.executable, "-m", "ecosystem_graph.store.server", "--data", str(data), "--host", host,
            "--bolt-port", str(bolt_port), "--http-port", str(http_port), "--database", database,
            "--heap", heap]
    log = open(data / _LOG_FILE, "ab")
    try:
        # cwd = data: ArcadeDB writes its application log to ./log whatever it is told.
        proc = subprocess.Popen(args, cwd=data, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
    finally:
        log.close()
    server = BoltServer(f"bolt://{host}:{bolt_port}", SERVER_USER, password, database, data, http_port, proc)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready.exists():
            info = json.loads(ready.read_text(encoding="utf-8") or "{}")
            if info.get("error"):
                server.stop()
                raise StoreError(f"the local Bolt server did not start: {info['error']} (log: {server.log_file})")
            if info.get("ready"):
                return server
        if proc.poll() is not None:
            raise StoreError(f"the local Bolt server exited with status {proc.returncode} while starting "
                             f"(log: {server.log_file})")
        time.sleep(0.1)
    server.stop()
    raise StoreConnectionError(f"the local Bolt server did not start within {timeout:.0f} s "
                               f"(log: {server.log_file})")


# ------------------------------------------------------------------------------------- child process


def _wait_for_port(host: str, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _child_main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m ecosystem_graph.store.server")
    parser.add_argument("--data", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--bolt-port", type=int, required=True)
    parser.add_argument("--http-port", type=int, required=True)
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument("--heap", default="1g")
    opts = parser.parse_args(argv)
    password = os.environ.pop(_PASSWORD_ENV, "")
    ready = Path(opts.data) / _READY_FILE

    def write_ready(info: dict) -> None:
        tmp = ready.with_suffix(".tmp")
        tmp.write_text(json.dumps(info), encoding="utf-8")
        os.replace(tmp, ready)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server = None
    try:
        from arcadedb_embedded import ArcadeDBServer

        server = ArcadeDBServer(
            root_path=str(Path(opts.data) / "databases"),
            root_password=password,
            config={
                "host": opts.host,
                "server_plugins": "Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
                "bolt_port": opts.bolt_port,
                "http_port": opts.http_port,
            },
            # LOAD CSV never reads the server's files: file:/// URLs and bare paths are refused. Each
            # database reads this setting from its own configuration, which starts from the JVM's
            # system properties (the server's config dict does not reach it).
            jvm_kwargs={"heap_size": opts.heap, "jvm_args": [f"-D{_LOAD_CSV_FILE_URLS}=false"]},
        )
        server.start()
        server.create_database(opts.database)
        _wait_for_port(opts.host, opts.bolt_port, 30)
    except BaseException as exc:  # report any start failure to the parent, then exit non-zero
        write_ready({"error": str(exc).splitlines()[0][:500] if str(exc) else type(exc).__name__})
        if server is not None:
            try:
                server.stop()
            except Exception:
                pass
        return 1
    write_ready({"ready": True, "pid": os.getpid()})
    print(f"ecograph: Bolt server ready on {opts.host}:{opts.bolt_port}", flush=True)
    parent = os.getppid()
    # Stop on SIGTERM/SIGINT, and also when the parent is gone (killed test run, closed terminal):
    # an orphaned server would hold its ports and its data directory.
    while not stop.wait(0.5) and os.getppid() == parent:
        pass
    server.stop()
    return 0


if __name__ == "__main__":  # pragma: no cover - runs in the child process
    sys.exit(_child_main(sys.argv[1:]))
