"""Shared fixtures: a real Bolt server for the whole test session, and the opt-in Neo4j 5 server.

``bolt_server`` starts ArcadeDB (PyPI wheel ``arcadedb-embedded``, which bundles its own Java runtime) in a
child process on free loopback ports in a temporary directory, creates a database, and stops it when the
session ends. It returns a :class:`ecosystem_graph.store.server.BoltServer` with

    uri       e.g. "bolt://127.0.0.1:40123"
    user      "root"
    password  a random password for this session
    database  "ecograph_test"

so connecting is ``neo4j.GraphDatabase.driver(s.uri, auth=(s.user, s.password))`` with ``database=s.database``
(or ``ecosystem_graph.store.neo4j.connect(s.uri, s.user, s.password, s.database)``). The database is shared by
every test of the session: use ecosystem names of your own (``unique_name``), or ``fresh_database`` for an
empty one.

Tests marked ``neo4j`` need a real Neo4j 5 server; they are collected only when ``ECOGRAPH_TEST_NEO4J_URI``
is set (plus ``ECOGRAPH_TEST_NEO4J_USER``, ``ECOGRAPH_TEST_NEO4J_PASSWORD``, ``ECOGRAPH_TEST_NEO4J_DATABASE``)
and are otherwise deselected: an environment opt-in, reported as deselected, never skipped to look green.

Every test that uses one of the server fixtures (directly or through another fixture) is marked ``server``
here, so that ``python -m pytest -m "not browser and not server"`` is the fast lane without a server.
"""

from __future__ import annotations

import os
import secrets
import shutil
import uuid
from dataclasses import dataclass, field

import pytest

from ecosystem_graph.store.server import BoltServer, start_server

NEO4J_ENV = "ECOGRAPH_TEST_NEO4J_URI"

SERVER_FIXTURES = frozenset({"bolt_server", "fresh_database", "neo4j_server"})
"""The fixtures that start or need a database server: a test using any of them is marked ``server``."""


@pytest.fixture(scope="session")
def bolt_server(tmp_path_factory) -> BoltServer:
    """A running ArcadeDB Bolt server for the session (see the module docstring for its fields)."""
    data_dir = tmp_path_factory.mktemp("bolt-server")
    server = start_server(data_dir, secrets.token_urlsafe(16), database="ecograph_test", heap="1g")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fresh_database(bolt_server: BoltServer) -> BoltServer:
    """The session's server, pointed at a new, empty database of its own."""
    name = "t" + uuid.uuid4().hex[:12]
    bolt_server.create_database(name)
    return BoltServer(bolt_server.uri, bolt_server.user, bolt_server.password, name, bolt_server.data_dir,
                      bolt_server.http_port, None)


@pytest.fixture
def unique_name() -> str:
    """An ecosystem name no other test uses (the session's database is shared)."""
    return "eco-" + uuid.uuid4().hex[:10]


@dataclass
class Neo4jServer:
    """Connection settings of the opt-in Neo4j 5 server (same shape as BoltServer's)."""

    uri: str
    user: str | None
    password: str | None = field(repr=False)
    database: str


@pytest.fixture(scope="session")
def neo4j_server() -> Neo4jServer:
    """The Neo4j 5 server named by ECOGRAPH_TEST_NEO4J_* (tests using it are marked ``neo4j``)."""
    return Neo4jServer(os.environ[NEO4J_ENV], os.environ.get("ECOGRAPH_TEST_NEO4J_USER", "neo4j"),
                       os.environ.get("ECOGRAPH_TEST_NEO4J_PASSWORD"),
                       os.environ.get("ECOGRAPH_TEST_NEO4J_DATABASE", "neo4j"))


def pytest_collection_modifyitems(config, items):
    for item in items:
        # fixturenames is the closure: it holds bolt_server for a test that uses a fixture built on it.
        if SERVER_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.server)
    if os.environ.get(NEO4J_ENV):
        return
    selected, deselected = [], []
    for item in items:
        (deselected if item.get_closest_marker("neo4j") else selected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


CHROMIUM = "/usr/bin/chromium"
"""Debian's Chromium, driven by Playwright (never a downloaded browser)."""
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium for the browser tests of one module."""
    if not shutil.which(CHROMIUM):  # an environment problem: fail loudly, never skip
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
