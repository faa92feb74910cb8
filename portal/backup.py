"""Backups: a consistent copy of the database and the uploads, in one folder per run."""

import datetime
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from .db import database, is_postgres


def backup(target_dir, uploads):
    """Write ``database.*`` and ``uploads.tar.gz`` (of the folder ``uploads``) into a new timestamped folder."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = Path(target_dir) / f"duban-{stamp}"
    folder.mkdir(parents=True, exist_ok=False)
    if is_postgres():
        _dump_postgres(folder / "database.sql")
    else:
        _copy_sqlite(folder / "database.sqlite")
    uploads = Path(uploads)
    if uploads.is_dir():
        with tarfile.open(folder / "uploads.tar.gz", "w:gz") as tar:
            tar.add(uploads, arcname="uploads")
    return folder


def _copy_sqlite(path):
    # SQLite's online backup API: a consistent copy while the portal keeps running.
    source = sqlite3.connect(database.obj.database)
    target = sqlite3.connect(path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _dump_postgres(path):
    pg_dump = shutil.which("pg_dump") or next(
        iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"), reverse=True)), None)
    if pg_dump is None:
        raise RuntimeError("pg_dump is not installed (apt-get install postgresql-client)")
    params = database.obj.connect_params
    env = {"PGPASSWORD": str(params.get("password") or ""), "PATH": "/usr/bin:/bin"}
    command = [str(pg_dump), "--no-owner", "--file", str(path), "--dbname", database.obj.database]
    for flag, key in (("--host", "host"), ("--port", "port"), ("--username", "user")):
        if params.get(key):
            command += [flag, str(params[key])]
    subprocess.run(command, check=True, env=env, capture_output=True, text=True)
