"""``ecograph db``: push, pull, list, drop and query ecosystems in Neo4j (a thin layer over ``store``)."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, Callable

import click

from .options import (echo_json, echo_line, echo_tables, format_option, load_model_for_cli,
                  max_bytes_option, model_file_argument)
from .analysis import ANALYSIS_FORMATS, echo_analysis, progress_to_stderr
from .analysis import analysis_options, listing_options
from ..errors import StoreError, UsageError

if TYPE_CHECKING:
    from ..tables import Table

__all__ = ["db"]

DEFAULT_URI = "bolt://localhost:7687"
FORMAT_VERSION = 1


def connection_options(fn: Callable) -> Callable:
    """--uri --user --password --database, each defaulting to its NEO4J_* environment variable."""
    fn = click.option("--database", "database", envvar="NEO4J_DATABASE", default="neo4j", show_default=True,
                      show_envvar=True, metavar="NAME", help="Database on the server.")(fn)
    fn = click.option("--password", "password", envvar="NEO4J_PASSWORD", default=None, show_envvar=True,
                      metavar="TEXT", help="Password (prompted for without echo on a terminal when a user "
                                           "is set and no password is).")(fn)
    fn = click.option("--user", "user", envvar="NEO4J_USERNAME", default=None, show_envvar=True, metavar="NAME",
                      help="User name; without one, connect without authentication.")(fn)
    fn = click.option("--uri", "uri", envvar="NEO4J_URI", default=DEFAULT_URI, show_default=True,
                      show_envvar=True, metavar="URI", help="Server, e.g. neo4j+s://xxxx.databases.neo4j.io.")(fn)
    return fn


def _password(user: str | None, password: str | None, where: str) -> str | None:
    if not user or password is not None:
        return password
    if sys.stdin.isatty():
        return click.prompt(f"Password for {user} at {where}", hide_input=True, err=True)
    raise UsageError(f"no password for user '{user}': set NEO4J_PASSWORD or pass --password "
                     f"(there is no terminal to ask on)")


def _connect(uri: str, user: str | None, password: str | None, database: str):
    import logging

    from ..store.neo4j import connect, safe_uri

    # The driver logs retried transactions at WARNING; with no logging set up Python would print them
    # on stderr in the middle of our output. Errors still reach the user, as one line, through StoreError.
    logging.getLogger("neo4j").addHandler(logging.NullHandler())

    return connect(uri, user, _password(user, password, safe_uri(uri)), database)


def _emit(fmt: str, data: dict[str, Any], tables: list[Table], message: str | None = None) -> None:
    """JSON (with format_version), or the tables as CSV, or the message (or tables) on a terminal."""
    if fmt == "json":
        echo_json({"format_version": FORMAT_VERSION, **data})
    elif fmt == "csv" or message is None:
        echo_tables(tables, fmt)
    else:
        echo_line(message)  # the ecosystem's name comes from a file: its control characters are escaped


@click.group()
def db() -> None:
    """Store ecosystems in Neo4j and query them with Cypher.

    Connect with --uri/--user/--password/--database or NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD,
    NEO4J_DATABASE. Many ecosystems live side by side in one database, each under its name.

    \b
    Examples:
      export NEO4J_URI=bolt://localhost:7687 NEO4J_USERNAME=neo4j NEO4J_PASSWORD=...
      ecograph db push examples/amazon.yaml --name amazon
      ecograph db list
      ecograph db query lockin-paths --param ecosystem=amazon --param segment=prime-members
      ecograph db pull amazon -o amazon-copy.yaml
      ecograph db analyze amazon --only revenue,lockin
      ecograph db serve --data ~/ecograph-db      # a local Bolt server, no Neo4j needed
    """


@db.command()
@model_file_argument()
@click.option("--name", default=None, help="Name to store it under [default: the model's name].")
@click.option("--batch-size", type=click.IntRange(min=1), default=5000, show_default=True,
              help="Rows per transaction.")
@max_bytes_option
@connection_options
@format_option("table", "json", "csv")
def push(file: str, name: str | None, batch_size: int, max_bytes: int | None, uri: str, user: str | None,
         password: str | None, database: str, fmt: str) -> None:
    """Write model FILE to the database, replacing the ecosystem's previous version.

    The new version is written in batches and made visible in one final step: a push that fails or
    is interrupted leaves the previous version complete and readable (the next push cleans up).

    \b
    Example:
      $ ecograph db push examples/amazon.yaml --name amazon
      Pushed amazon: 25 nodes, 66 relationships
    """
    from ..progress import progress_bar
    from ..tables import Table

    model = load_model_for_cli(file, max_bytes)
    total = len(model.nodes) + len(model.relationships)
    with _connect(uri, user, password, database) as store, progress_bar("Pushing", total) as update:
        def progress(what: str, done: int, _total: int) -> None:
            update(done if what == "nodes" else len(model.nodes) + done)

        result = store.push(model, name, batch_size=batch_size, progress=progress)
    replaced = " (replaced the previous version)" if result.replaced else ""
    table = Table("Pushed", ["name", "nodes", "relationships", "version", "replaced"],
                  [[result.name, result.nodes, result.relationships, result.version, result.replaced]])
    _emit(fmt, {"pushed": result.to_dict()}, [table],
          f"Pushed {result.name}: {result.nodes:,} nodes, {result.relationships:,} relationships{replaced}")


@db.command()
@click.argument("name")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="Model file to write (YAML, or JSON for a .json name).")
@connection_options
@format_option("table", "json", "csv")
def pull(name: str, output: str, uri: str, user: str | None, password: str | None, database: str,
         fmt: str) -> None:
    """Read ecosystem NAME from the database into a model file.

    \b
    Example:
      $ ecograph db pull amazon -o amazon.yaml
      Pulled amazon: 25 nodes, 66 relationships -> amazon.yaml
    """
    from ..fileio import save_model
    from ..tables import Table

    with _connect(uri, user, password, database) as store:
        model = store.pull(name)
    save_model(model, output)
    info = {"name": name, "nodes": len(model.nodes), "relationships": len(model.relationships), "output": output}
    table = Table("Pulled", list(info), [list(info.values())])
    _emit(fmt, {"pulled": info}, [table],
          f"Pulled {name}: {len(model.nodes):,} nodes, {len(model.relationships):,} relationships -> {output}")


@db.command("list")
@connection_options
@format_option("table", "json", "csv")
def list_(uri: str, user: str | None, password: str | None, database: str, fmt: str) -> None:
    """List the ecosystems in the database: name, sizes, when pushed.

    \b
    Example:
      $ ecograph db list --format csv
      name,model_name,nodes,relationships,pushed_at
      amazon,Amazon,25,63,2024-05-01T09:30:00Z
    """
    from ..tables import Table

    with _connect(uri, user, password, database) as store:
        infos = store.list()
    table = Table(f"Ecosystems in {database}", ["name", "model_name", "nodes", "relationships", "pushed_at"],
                  [[i.name, i.model_name, i.nodes, i.relationships, i.pushed_at] for i in infos],
                  note=None if infos else "none yet: ecograph db push FILE")
    _emit(fmt, {"database": database, "ecosystems": [i.to_dict() for i in infos]}, [table])


@db.command()
@click.argument("name")
@connection_options
@format_option("table", "json", "csv")
def drop(name: str, uri: str, user: str | None, password: str | None, database: str, fmt: str) -> None:
    """Delete ecosystem NAME from the database (the others are not touched).

    \b
    Example:
      $ ecograph db drop amazon
      Dropped amazon: 25 nodes, 66 relationships
    """
    from ..tables import Table

    with _connect(uri, user, password, database) as store:
        info = store.drop(name)
    table = Table("Dropped", ["name", "nodes", "relationships"], [[info.name, info.nodes, info.relationships]])
    _emit(fmt, {"dropped": info.to_dict()}, [table],
          f"Dropped {info.name}: {info.nodes:,} nodes, {info.relationships:,} relationships")


@db.command()
@click.argument("name", required=False)
@format_option("table", "json", "csv")
def queries(name: str | None, fmt: str) -> None:
    """List the named queries (or show query NAME: parameters, columns and its Cypher).

    \b
    Examples:
      ecograph db queries
      ecograph db queries lockin-paths
    """
    from ..store.queries import get_query, list_queries
    from ..tables import Table

    if name:
        q = get_query(name)
        tables = [Table(f"{q.name}: parameters", ["parameter", "type", "description"],
                        [[p.name, p.type, p.description] for p in q.params]),
                  Table(f"{q.name}: columns", ["column", "description"], [list(c) for c in q.columns])]
        if fmt == "json":
            echo_json({"format_version": FORMAT_VERSION, "query": {**q.to_dict(), "cypher": q.cypher}})
        elif fmt == "csv":
            echo_tables(tables, fmt)
        else:
            click.echo(q.description + "\n")
            echo_tables(tables, fmt)
            click.echo("\n" + q.cypher, nl=False)
        return
    library = list_queries()
    table = Table("Named queries", ["name", "parameters", "purpose"],
                  [[q.name, ", ".join(q.param_names), q.summary] for q in library],
                  note="ecograph db query NAME --param ecosystem=... ; ecograph db queries NAME for details")
    _emit(fmt, {"queries": [q.to_dict() for q in library]}, [table])


def _parse_params(items: tuple[str, ...], typed: bool) -> dict[str, Any]:
    from ..store.queries import parse_param_value

    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise UsageError(f"--param takes NAME=VALUE, not '{item}'")
        if key in out:
            raise UsageError(f"--param {key} given twice")
        out[key] = value if typed else parse_param_value(value)
    return out


@db.command()
@click.argument("name", required=False)
@click.option("--cypher", default=None, metavar="TEXT", help="Run this Cypher instead of a named query.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A query parameter (repeatable). For --cypher, VALUE is read as JSON when it parses "
                   "(42, 0.5, true, [1,2], \"text\"), else taken as text.")
@click.option("--write", is_flag=True,
              help="Allow --cypher to write (otherwise a query that may write is refused before it runs).")
@click.option("--limit", type=click.IntRange(min=0), default=None, metavar="N", help="Show at most N rows.")
@connection_options
@format_option("table", "json", "csv")
def query(name: str | None, cypher: str | None, params: tuple[str, ...], write: bool, limit: int | None,
          uri: str, user: str | None, password: str | None, database: str, fmt: str) -> None:
    """Run named query NAME (see `ecograph db queries`) or your own --cypher.

    Queries are read-only unless --write is given (only with --cypher): a query that may write (CREATE,
    MERGE, SET, DELETE, ..., LOAD CSV, CALL ... IN TRANSACTIONS, schema commands, procedures other than
    db.labels and the like) is refused before it runs, and a read runs in a transaction that is rolled back.

    \b
    Examples:
      ecograph db query revenue-by-segment --param ecosystem=amazon
      ecograph db query channels-reaching-segment --param ecosystem=amazon --param segment=prime-members
      ecograph db query --param eco=amazon --cypher \\
        'MATCH (e:Ecosystem {name: $eco}) MATCH (n:Segment {version: e.current}) RETURN n.id, n.size'

    Your own Cypher sees every ecosystem and every version in the database: scope it as above, through
    the ecosystem's `current` version, to see exactly what `pull` would return.
    """
    from ..tables import Table

    if (name is None) == (cypher is None):
        raise UsageError("give a query NAME or --cypher TEXT (one of them)")
    if write and cypher is None:
        raise UsageError("--write is only for --cypher; named queries never write")
    if name is not None:
        from ..store.queries import get_query

        q = get_query(name)
        values = q.bind(_parse_params(params, typed=True))  # checked before connecting
        title = q.name
    else:
        values = _parse_params(params, typed=False)
        title = "query"
    with _connect(uri, user, password, database) as store:
        result = store.run_named(name, values) if name is not None else store.query(cypher, values, write=write)
    rows = result.rows if limit is None else result.rows[:limit]
    if fmt == "json":
        data = {"format_version": FORMAT_VERSION, "columns": result.columns,
                "rows": [dict(zip(result.columns, r)) for r in rows]}
        if write:
            data["counters"] = result.counters
        echo_json(data)
        return
    note = None
    if limit is not None and len(result.rows) > limit:
        note = f"{limit} of {len(result.rows)} rows"
    if write and result.counters:
        note = "; ".join(x for x in (note, ", ".join(f"{v} {k.replace('_', ' ')}"
                                                   for k, v in result.counters.items())) if x)
    echo_tables([Table(title, result.columns, [[_cell(v) for v in r] for r in rows], note=note)], fmt)


def _cell(value: Any) -> Any:
    if isinstance(value, dict):
        import json

        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        import json

        return json.dumps(value, ensure_ascii=False)
    return value


@db.command("analyze")
@click.argument("name")
@listing_options
@format_option(*ANALYSIS_FORMATS)
@analysis_options
@connection_options
def analyze_cmd(name: str, only: str | None, top: int | None, fmt: str, depth: int, max_paths: int, seed: int,
                serial: bool, uri: str, user: str | None, password: str | None, database: str) -> None:
    """Pull ecosystem NAME and analyse it exactly as `ecograph analyze FILE` does.

    \b
    Examples:
      ecograph db analyze amazon
      ecograph db analyze amazon --only revenue,lockin --top 5 --format json
    """
    from ..analysis import analyze, parse_only
    from ..graph import to_networkx

    sections = parse_only(only)
    with _connect(uri, user, password, database) as store:
        model = store.pull(name)
    with progress_to_stderr() as progress:
        result = analyze(to_networkx(model), only=sections, top=top, seed=seed, depth=depth, max_paths=max_paths,
                         progress=progress, parallel=not serial)
    echo_analysis(result, fmt, top)


@db.command()
@click.option("--port", type=click.IntRange(1, 65535), default=7687, show_default=True, help="Bolt port.")
@click.option("--http-port", type=click.IntRange(1, 65535), default=None,
              help="ArcadeDB's HTTP port [default: a free one].")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=str), default="ecograph-db",
              show_default=True, help="Directory for the databases (kept between runs).")
@click.option("--database", envvar="NEO4J_DATABASE", default="neo4j", show_default=True, show_envvar=True,
              help="Database to create and serve.")
@click.option("--password", envvar="NEO4J_PASSWORD", default=None, show_envvar=True, metavar="TEXT",
              help="Password of user root, at least 8 characters (prompted for on a terminal).")
@click.option("--heap", default="2g", show_default=True, help="Java heap limit.")
def serve(port: int, http_port: int | None, data_dir: str, database: str, password: str | None,
          heap: str) -> None:
    """Run a local Bolt server (ArcadeDB) until Ctrl-C, for when there is no Neo4j at hand.

    It listens on 127.0.0.1 only. Log in as user root with the password you set. Needs the 'server'
    extra: pip install 'ecosystem-graph[server]' (Linux x86_64; it bundles its own Java).

    \b
    Example:
      $ export NEO4J_PASSWORD=choose-one-8+
      $ ecograph db serve --data ~/ecograph-db &
      $ NEO4J_USERNAME=root ecograph db push examples/amazon.yaml
    """
    import time

    from ..store.server import start_server

    if password is None:
        if not sys.stdin.isatty():
            raise UsageError("no password for the server: set NEO4J_PASSWORD or pass --password "
                             "(there is no terminal to ask on)")
        password = click.prompt("Password for user root (8+ characters)", hide_input=True,
                                confirmation_prompt=True, err=True)
    click.echo(f"Starting the Bolt server in {os.path.abspath(data_dir)} ...", err=True)
    server = start_server(data_dir, password, bolt_port=port, http_port=http_port, database=database, heap=heap)
    try:
        click.echo(f"Serving {server.uri}, database {database}, user root (Ctrl-C stops it)\n"
                   f"  export NEO4J_URI={server.uri} NEO4J_USERNAME=root NEO4J_DATABASE={database}")
        while server.alive():
            time.sleep(1)
        raise StoreError(f"the server stopped unexpectedly (log: {server.log_file})")
    except KeyboardInterrupt:
        click.echo("Stopping ...", err=True)
    finally:
        server.stop()
