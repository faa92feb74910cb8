"""Petition tests: petitions registered through the service, and acting on them through the API."""

import pytest

from portal.auth.models import User
from portal.kernel.db import database
from portal.petitions import services

PHONE = "13812345678"
MASKED = "138****5678"


@pytest.fixture
def petition(app, demo):
    """``petition(**fields)``: a petition registered by the supervisor through the service; its number."""

    def factory(**fields):
        data = {"channel": "hotline", "category": "heating", "area": "东风小区",
                "content": f"暖气不热，回电{PHONE}", "resident_name": "王大妈", "resident_phone": PHONE}
        data.update(fields)
        with app.test_request_context(), database.connection_context():
            return services.register(User.get(User.username == "supervisor"), data).number

    return factory


def version(client, number):
    return client.get(f"/api/v1/petitions/{number}").get_json()["version"]


def act(client, number, action, **data):
    if "version" not in data:
        data["version"] = version(client, number)
    return client.post(f"/api/v1/petitions/{number}/actions/{action}", json=data)
