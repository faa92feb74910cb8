"""The database: one peewee proxy, initialised by the app factory.

SQLite (WAL, foreign keys, busy timeout) by default; PostgreSQL by URL.
Requests open a connection and close it at teardown; jobs and commands use
``database.connection_context()``.
"""

import datetime
import json
import weakref
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import peewee
from playhouse import db_url
from playhouse.pool import PooledSqliteDatabase

database = peewee.DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "synchronous": "normal",
}


def utcnow():
    """The current time as a naive UTC datetime, the form every timestamp is stored in."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class BaseModel(peewee.Model):
    class Meta:
        database = database
        legacy_table_names = False


class JSONField(peewee.TextField):
    """A JSON document in a text column (portable across SQLite and PostgreSQL)."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    def python_value(self, value):
        return None if value is None else json.loads(value)


def make_database(url, root, pool_size=0):
    """A peewee database for ``url``; relative SQLite paths are taken from ``root``.

    With ``pool_size`` > 0 up to that many connections per process stay open between requests: a new
    one costs a few milliseconds and a server process on PostgreSQL, and on SQLite opening the file and
    setting its pragmas (~1 ms, more than a cached board). A PostgreSQL connection whose server went
    away is not handed out again.
    """
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.is_absolute():
            path = Path(root) / path
        path.parent.mkdir(parents=True, exist_ok=True)
        if pool_size > 0:
            return PooledSqliteDatabase(str(path), pragmas=SQLITE_PRAGMAS, max_connections=pool_size, check_same_thread=False,
                                        stale_timeout=300, timeout=10)
        return peewee.SqliteDatabase(str(path), pragmas=SQLITE_PRAGMAS)
    url = url.replace("postgres://", "postgresql://", 1)
    # No JIT: it compiles a query whose estimated cost is high (a count over 100,000 items) for ~100 ms, far
    # longer than the portal's short queries take to run. (Added to the URL's own ?options=, if any.)
    given = parse_qs(urlsplit(url).query).get("options", [""])[-1]
    options = {"options": f"{given} -c jit=off".strip()}
    if pool_size > 0:
        return db_url.connect(url.replace("postgresql://", "postgresql+pool://", 1), max_connections=pool_size,
                              stale_timeout=300, timeout=10, **options)
    return db_url.connect(url, **options)


_prepared = weakref.WeakKeyDictionary()  # database -> {build: (query, sql, params, slots)}


def prepared(build, *values):
    """The rows of ``build(*values)``, a peewee query whose SQL is composed once per database and shape.

    peewee composes SQL in Python, which costs a wide join ~1 ms per run: more than the database takes to
    answer it. Here the query is built once with stand-ins for ``values`` (ints and strings, each used as
    a bound parameter, not inside another expression), and later runs only bind the new values.
    """
    templates = _prepared.setdefault(database.obj, {})
    template = templates.get(build)
    if template is None:
        stand_ins = [-(10**12) - i if isinstance(v, int) else f"\x1fstand-in {i}\x1f" for i, v in enumerate(values)]
        query = build(*stand_ins)
        sql, params = query.sql()
        slots = [stand_ins.index(p) if p in stand_ins else None for p in params]
        if sorted(i for i in slots if i is not None) != list(range(len(values))):
            raise ValueError("each value must be one bound parameter of the query")
        template = templates[build] = (query, sql, params, slots)
    query, sql, params, slots = template
    bound = [param if slot is None else values[slot] for param, slot in zip(params, slots)]
    return list(query._get_cursor_wrapper(database.execute_sql(sql, bound)))  # peewee's row mapping


def is_postgres():
    return isinstance(database.obj, peewee.PostgresqlDatabase)


def joined(field, separator):
    """The values of ``field`` in a group as one string (string_agg on PostgreSQL, group_concat on SQLite)."""
    return peewee.fn.string_agg(field, separator) if is_postgres() else peewee.fn.group_concat(field, separator)


def init_app(app):
    settings = app.config["PORTAL"]["database"]
    database.initialize(make_database(settings["url"], app.root_path + "/..", settings["pool_size"]))

    @app.before_request
    def _connect():
        database.connect(reuse_if_open=True)

    @app.teardown_appcontext
    def _close(exc):
        if not database.is_closed():
            database.close()
