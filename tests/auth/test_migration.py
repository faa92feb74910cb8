"""Migration 3 brings a database of the previous release up: sessions table, token expiry, limiter index."""

from portal.kernel.db import database


def test_a_release_2_database_gains_sessions_and_token_expiry_keeping_its_tokens(make_app):
    from portal.auth.models import ApiToken, User, UserSession
    from portal.migrations import SchemaVersion, upgrade

    app = make_app()
    with app.app_context(), database.connection_context():
        # Put the schema back where release 2 left it, with a token in it.
        user = User.create(username="zhangwei", display_name="张伟")
        database.execute_sql("DROP TABLE user_session")
        database.execute_sql("DROP INDEX login_event_address_at")
        database.execute_sql("ALTER TABLE api_token DROP COLUMN expires_at")
        database.execute_sql("INSERT INTO api_token (user_id, name, token_hash, prefix, created_at) "
                             "VALUES (%s, 'old', 'abc', 'dbp_abc', '2026-01-01 00:00:00')"
                             .replace("%s", str(user.id)))
        SchemaVersion.delete().where(SchemaVersion.version == 3).execute()
        assert upgrade() == [3]
        assert upgrade() == []
        token = ApiToken.get()
        assert token.name == "old" and token.expires_at is None
        assert UserSession.select().count() == 0
        assert "login_event_address_at" in {i.name for i in database.get_indexes("login_event")}
