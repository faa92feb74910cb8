"""Sign-in spends the same work on an unknown user name as on a known one with a wrong password."""

import argon2
import pytest

from portal.auth import users as users_module
from portal.db import database
from tests.auth.conftest import ldap_settings
from tests.conftest import AuthActions


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
    AuthActions(app.test_client()).login(username, password)
    return counted.verifications - before


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_unknown_local_name_costs_one_argon2_verification_like_a_wrong_password(app, demo, counted):
    assert verifications_for(app, counted, "supervisor", "wrong-password") == 1
    assert verifications_for(app, counted, "nobody-here", "wrong-password") == 1
