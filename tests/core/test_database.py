"""The database: pragmas, versioned schema, idempotent init-db on SQLite and PostgreSQL."""

import peewee
import pytest

from portal.kernel.db import database, is_postgres
from portal.migrations import MIGRATIONS, SchemaVersion, current_version, upgrade


def test_init_db_is_idempotent_and_records_the_version(runner, db):
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    assert current_version() == MIGRATIONS[-1][0]
    assert SchemaVersion.select().count() == len(MIGRATIONS)


def test_fresh_database_is_created_by_init_db(make_app, database_url):
    app = make_app()
    with app.app_context(), database.connection_context():
        assert current_version() == MIGRATIONS[-1][0]
        assert upgrade() == []


def test_sqlite_runs_with_wal_and_foreign_keys(db):
    if is_postgres():
        assert database.execute_sql("SHOW server_encoding").fetchone()[0] == "UTF8"
        return
    assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert database.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_unique_and_foreign_keys_are_enforced(db):
    from portal.auth.models import Department, User, UserRole

    Department.create(code="ops", name="运营部")
    try:
        with database.atomic():
            Department.create(code="ops", name="另一个")
        raise AssertionError("duplicate department code accepted")
    except peewee.IntegrityError:
        pass
    try:
        with database.atomic():
            UserRole.create(user=99999, role="leader")
        raise AssertionError("role for a missing user accepted")
    except peewee.IntegrityError:
        pass
    assert User.select().count() == 0


def test_seed_demo_twice_keeps_the_data(runner, db):
    from portal.auth.models import Department, User

    first = runner.invoke(args=["seed-demo", "--if-empty"])
    assert first.exit_code == 0 and "loaded" in first.output
    second = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "kept" in second.output
    assert User.select().count() == 10
    assert Department.select().count() == 7
    assert User.get(User.username == "handler").department.name == "物业服务中心"


def test_create_user_reads_password_from_stdin(runner, db, client):
    from tests.conftest import log_in

    result = runner.invoke(args=["create-user", "wangfang", "--role", "leader", "--role", "supervisor",
                                 "--name", "王芳"], input="pässwörd-一二三\n")
    assert result.exit_code == 0, result.output
    bad = runner.invoke(args=["create-user", "x", "--role", "king"], input="pw\n")
    assert bad.exit_code != 0 and "unknown role king" in bad.output
    empty = runner.invoke(args=["create-user", "y", "--role", "leader"], input="\n")
    assert empty.exit_code != 0 and "must not be empty" in empty.output
    response = log_in(client, "wangfang", "pässwörd-一二三")
    assert response.status_code == 303


def test_backup_copies_database_and_uploads(app, runner, db, tmp_path):
    import sqlite3
    import tarfile
    from pathlib import Path

    from portal.auth.users import create_user

    create_user("backup-probe", ["leader"], password="x", name="备份检查")
    uploads = Path(app.instance_path) / "uploads"
    uploads.mkdir(parents=True)
    (uploads / "ab12").write_bytes(b"evidence")
    result = runner.invoke(args=["backup", "--to", str(tmp_path / "backups")])
    assert result.exit_code == 0, result.output
    folder = Path(result.output.strip().splitlines()[-1])
    assert folder.parent == tmp_path / "backups"
    if is_postgres():
        dump = (folder / "database.sql").read_text(encoding="utf-8")
        assert "CREATE TABLE" in dump and "backup-probe" in dump
    else:
        copy = sqlite3.connect(folder / "database.sqlite")
        assert copy.execute("SELECT display_name FROM user WHERE username='backup-probe'").fetchone() == ("备份检查",)
    with tarfile.open(folder / "uploads.tar.gz") as tar:
        assert tar.extractfile("uploads/ab12").read() == b"evidence"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_backup_takes_the_uploads_from_the_configured_folder(make_app, tmp_path):
    import io
    import tarfile
    from pathlib import Path

    from werkzeug.datastructures import FileStorage

    from portal import demo as demo_module
    from portal.auth.models import User
    from portal.items import attachments, services

    app = make_app(uploads={"folder": str(tmp_path / "elsewhere")})
    with app.test_request_context(), database.connection_context():
        demo_module.seed_people()
        supervisor = User.get(User.username == "supervisor")
        item = services.create_item(supervisor, {"title": "供暖接入市网", "lead_department": "property",
                                                 "source_type": "meeting"})
        attachment = attachments.add_attachment(supervisor, item, FileStorage(io.BytesIO(b"evidence"),
                                                                           filename="会议纪要.txt"))
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["backup", "--to", str(tmp_path / "backups")])
    assert result.exit_code == 0, result.output
    folder = Path(result.output.strip().splitlines()[-1])
    with tarfile.open(folder / "uploads.tar.gz") as tar:
        stored = [m for m in tar.getmembers() if m.name.endswith(attachment.sha256)]
        assert len(stored) == 1 and tar.extractfile(stored[0]).read() == b"evidence"


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_web_requests_share_pooled_postgresql_connections_unless_the_pool_is_off(make_app):
    def backend_pids(app):
        pids = set()
        for _ in range(3):
            with app.test_request_context():
                app.preprocess_request()  # opens the request's connection as a request does
                pids.add(database.execute_sql("SELECT pg_backend_pid()").fetchone()[0])
                app.do_teardown_appcontext()
        return pids

    assert len(backend_pids(make_app(database={"pool_size": 2}))) == 1
    assert len(backend_pids(make_app(database={"pool_size": 0}))) == 3
