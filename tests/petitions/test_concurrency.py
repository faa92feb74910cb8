"""Concurrency: of two simultaneous actions on one petition one wins (the other 409, nothing written for
it); petition numbers never repeat."""

import pytest

from portal.auth.models import User
from portal.kernel.db import database
from portal.petitions import services
from portal.petitions.models import Petition, PetitionEvent
from tests.items.test_concurrency import race


def _register(i=0):
    return services.register(User.get(User.username == "supervisor"), {
        "channel": "hotline", "category": "heating", "area": f"东风小区{i}", "content": "暖气不热"})


def test_two_supervisors_assigning_at_once_write_one_event(app, demo):
    with app.test_request_context(), database.connection_context():
        petition = _register()

    def assign(i):
        with app.test_request_context():
            return services.perform(User.get(User.username == "supervisor"), Petition.get_by_id(petition.id),
                                    "assign", {"version": 1, "department": ("property", "catering")[i]})[0]

    results = race(app, 2, assign)
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "PetitionEvent"]
    with app.app_context(), database.connection_context():
        assert PetitionEvent.select().where(PetitionEvent.petition == petition.id,
                                            PetitionEvent.action == "assign").count() == 1
        assert Petition.get_by_id(petition.id).version == 2


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_petition_numbers_stay_unique_when_registered_at_once(app, demo):
    def create(i):
        return _register(i).number

    numbers = race(app, 6, create)
    assert all(isinstance(n, str) for n in numbers), numbers
    assert sorted(int(n[-4:]) for n in numbers) == list(range(1, 7))

