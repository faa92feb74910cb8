"""Backups and restores: a consistent copy of the database and the uploads, in one folder per run.

A backup folder holds ``database.sqlite`` (SQLite's online backup) or ``database.sql`` (pg_dump's plain
SQL) and ``uploads.tar.gz``. ``restore`` puts such a folder back into an *empty* instance only: it never
overwrites data (see README, "Backup and restore").
"""

import datetime
import hashlib
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path

from .kernel import files, hooks
from .kernel.db import database, is_postgres


class RestoreRefused(Exception):
    """The target is not an empty instance, or the folder is not a backup this instance can take."""


def backup(target_dir, uploads):
    """Write ``database.*`` and ``uploads.tar.gz`` (of the folder ``uploads``) into a new timestamped folder.

    The database is copied first, the files after it: a file's row commits before the file moves into
    the store, so every row of the copy has its file in the archive (files the copy does not yet know
    are harmless; ``sweep-uploads`` removes them after a restore)."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    folder = Path(target_dir) / f"duban-{stamp}"
    folder.mkdir(parents=True, exist_ok=False)
    if is_postgres():
        _dump_postgres(folder / "database.sql")
    else:
        _copy_sqlite(folder / "database.sqlite")
    uploads = Path(uploads)
    if uploads.is_dir():
        _archive_uploads(uploads, folder / "uploads.tar.gz")
    return folder


def _archive_uploads(uploads, path):
    def skip_incoming(member):
        return None if member.name == f"uploads/{files.INCOMING}" or member.name.startswith(f"uploads/{files.INCOMING}/") \
            else member

    with tarfile.open(path, "w:gz") as tar:
        tar.add(uploads, arcname="uploads", filter=skip_incoming)
        archived = set(tar.getnames())
        # A row that committed while the folder was read may have moved its file into a shard already
        # read: add every file a row points to and the archive lacks (waiting briefly for a move in flight).
        for sha in _referenced():
            name = f"uploads/{sha[:2]}/{sha}"
            if name in archived:
                continue
            stored = uploads / sha[:2] / sha
            for _ in range(50):
                if stored.is_file():
                    break
                time.sleep(0.1)
            if stored.is_file():
                tar.add(stored, arcname=name)
                archived.add(name)


def _referenced():
    found = set()
    for field in hooks.files_kept.values():
        if database.table_exists(field.model._meta.table_name):
            found.update(row[0] for row in field.model.select(field).distinct().tuples())
    return sorted(found)


def _copy_sqlite(path):
    # SQLite's online backup API: a consistent copy while the portal keeps running.
    source = sqlite3.connect(database.obj.database)
    target = sqlite3.connect(path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _pg_tool(name):
    found = shutil.which(name) or next(
        iter(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)), None)
    if found is None:
        raise RuntimeError(f"{name} is not installed (apt-get install postgresql-client)")
    return str(found)


def _pg_command(tool, *args):
    params = database.obj.connect_params
    env = {"PGPASSWORD": str(params.get("password") or ""), "PATH": "/usr/bin:/bin", "PGCLIENTENCODING": "UTF8"}
    command = [_pg_tool(tool), *args, "--dbname", database.obj.database]
    for flag, key in (("--host", "host"), ("--port", "port"), ("--username", "user")):
        if params.get(key):
            command += [flag, str(params[key])]
    return command, env


def _dump_postgres(path):
    command, env = _pg_command("pg_dump", "--no-owner", "--file", str(path))
    subprocess.run(command, check=True, env=env, capture_output=True, text=True)


# --- restore ---------------------------------------------------------------------------------------

def holdings(uploads):
    """What the instance holds: {"users": n, "items": n, "files": n}; all zero for an empty instance."""
    from .auth.models import User
    from .items.models import Item

    counts = {}
    for key, model in (("users", User), ("items", Item)):
        counts[key] = model.select().count() if database.table_exists(model._meta.table_name) else 0
    uploads = Path(uploads)
    counts["files"] = sum(1 for path in uploads.rglob("*")
                          if path.is_file() and path.relative_to(uploads).parts[0] != files.INCOMING) \
        if uploads.is_dir() else 0
    return counts


def restore(folder, uploads):
    """Restore the backup ``folder`` into this (empty) instance: the database, then the files.

    RestoreRefused when the instance holds users, items or files, or when the folder is not a backup
    for this kind of database. Returns the counts of what is back and the files that failed their check."""
    folder, uploads = Path(folder), Path(uploads)
    sqlite_copy, sql_dump, archive = folder / "database.sqlite", folder / "database.sql", folder / "uploads.tar.gz"
    if not (sqlite_copy.is_file() or sql_dump.is_file()):
        raise RestoreRefused(f"{folder} is not a backup folder (no database.sqlite or database.sql)")
    if is_postgres() and not sql_dump.is_file():
        raise RestoreRefused(f"{folder} holds a SQLite backup; this instance uses PostgreSQL")
    if not is_postgres() and not sqlite_copy.is_file():
        raise RestoreRefused(f"{folder} holds a PostgreSQL backup; this instance uses SQLite")
    held = holdings(uploads)
    if any(held.values()):
        raise RestoreRefused(
            "the instance is not empty ({users} users, {items} items, {files} stored files): restore only "
            "into a new database with an empty uploads folder".format(**held))
    staging = _unpack_uploads(archive, uploads) if archive.is_file() else None
    try:
        if is_postgres():
            _load_postgres(sql_dump)
        else:
            _load_sqlite(sqlite_copy)
        from .migrations import upgrade

        upgrade()  # a backup of an older release is brought to this release's schema
    except BaseException:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    if staging is not None:
        uploads.mkdir(parents=True, exist_ok=True)
        for path in sorted(staging.rglob("*")):
            if path.is_file():
                target = uploads / path.relative_to(staging)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
        shutil.rmtree(staging, ignore_errors=True)
    return _check(uploads)


def _unpack_uploads(archive, uploads):
    """Unpack the archive's regular files under ``uploads/`` into a staging folder beside ``uploads``
    (same file system: moved into place by rename once the database is back)."""
    uploads.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=uploads.parent))
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                parts = Path(member.name).parts
                if not member.isfile() or len(parts) < 2 or parts[0] != "uploads" or parts[1] == files.INCOMING:
                    continue
                # Written by name below (never tar.extract): refuse what could leave the staging folder.
                # (tarfile.data_filter would say the same, but Debian 12's Python 3.11.2 lacks it.)
                if Path(member.name).is_absolute() or ".." in parts:
                    raise tarfile.TarError(f"{archive.name}: the entry {member.name!r} points outside the uploads")
                target = staging.joinpath(*parts[1:])
                target.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as source, open(target, "wb") as out:
                    shutil.copyfileobj(source, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _load_sqlite(path):
    # The backup API in reverse: the copy replaces the (empty) database page by page, WAL included.
    source = sqlite3.connect(path)
    target = sqlite3.connect(database.obj.database)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _load_postgres(dump):
    # The empty instance may have been set up by init-db: its (empty) tables give way to the dump's.
    for table in database.get_tables():
        database.execute_sql(f'DROP TABLE IF EXISTS "{table}" CASCADE')
    with tempfile.NamedTemporaryFile("w", suffix=".sql", encoding="utf-8", delete=False) as script:
        with open(dump, encoding="utf-8") as source:
            for line in source:
                # Only an extension's owner may comment on it; pg_dump writes that comment for pg_trgm.
                if not line.startswith("COMMENT ON EXTENSION"):
                    script.write(line)
    try:
        command, env = _pg_command("psql", "--quiet", "--no-psqlrc", "--single-transaction",
                                   "--set", "ON_ERROR_STOP=1", "--file", script.name)
        subprocess.run(command, check=True, env=env, capture_output=True, text=True)
    finally:
        os.unlink(script.name)


def _check(uploads):
    """Counts of what is back, and every attachment whose file is missing or differs from its SHA-256."""
    from .auth.models import User
    from .items.models import Attachment, Item, ItemEvent

    bad = []
    for field in hooks.files_kept.values():
        for (sha,) in field.model.select(field).distinct().tuples():
            path = uploads / sha[:2] / sha
            if not path.is_file() or _sha256(path) != sha:
                bad.append(sha)
    counts = {"users": User.select().count(), "items": Item.select().count(),
              "events": ItemEvent.select().count(), "attachments": Attachment.select().count()}
    return counts, bad


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 16):
            digest.update(chunk)
    return digest.hexdigest()
