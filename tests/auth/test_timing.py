"""Sign-in spends the same work on an unknown user name as on a known one with a wrong password."""

import argon2
import pytest

from portal.auth import users as users_module
from portal.kernel.db import database
from tests.auth.conftest import ldap_settings
from tests.conftest import log_in


class CountingHasher(argon2.PasswordHasher):
    """The real argon2 hasher, counting the verifications it performs."""

    verifications = 0

    def verify(self, hash, password):
        CountingHasher.verifications += 1
        return super().verify(hash, password)


@pytest.fixture
def counted(monkeypatch):
    hasher = CountingHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(users_module, "_hasher", hasher)
    CountingHasher.verifications = 0
    return CountingHasher


def verifications_for(app, counted, username, password):
    before = counted.verifications
    log_in(app.test_client(), username, password)
    return counted.verifications - before


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_unknown_local_name_costs_one_argon2_verification_like_a_wrong_password(app, demo, counted):
    assert verifications_for(app, counted, "supervisor", "wrong-password") == 1
    assert verifications_for(app, counted, "nobody-here", "wrong-password") == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_unknown_local_name_behind_ldap_and_local_costs_the_same_too(make_app, directory, counted):
    """With both backends, an unknown name passes both: one directory search and bind, one argon2 check."""
    app = make_app(auth={"backends": ["ldap", "local"], "ldap": ldap_settings(directory.ldap_uri)})
    with app.app_context(), database.connection_context():
        from portal import demo

        demo.seed_people()
    assert verifications_for(app, counted, "supervisor", "wrong-password") == 1
    assert verifications_for(app, counted, "nobody-here", "wrong-password") == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_unknown_directory_name_costs_the_same_search_and_bind(ldap_app, monkeypatch):
    """LDAP: a known name with a wrong password costs a search and a user bind; an unknown name the same."""
    from portal.auth.directory import Directory

    calls = []
    for name in ("_service_connection", "_search_people", "_user_bind"):
        original = getattr(Directory, name)

        def counting(self, *args, _original=original, _name=name, **kwargs):
            calls.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Directory, name, counting)

    def work_for(username):
        calls.clear()
        response = log_in(ldap_app.test_client(), username, "Wrong#2026")
        assert response.status_code == 422
        return sorted(calls)

    known = work_for("zhangwei")
    assert known == ["_search_people", "_service_connection", "_user_bind"]
    assert work_for("nobody-here") == known
