"""API clients signed in through the real form, sending the page's CSRF token as X-CSRFToken."""

import pytest

from tests.conftest import AuthActions, csrf_token


class ApiClient:
    """A signed-in test client for one user; json methods carry the CSRF header."""

    def __init__(self, app, username):
        self.client = app.test_client()
        response = AuthActions(self.client).login(username)
        assert response.status_code in (302, 303), f"{username} could not sign in"
        self.headers = {"X-CSRFToken": csrf_token(self.client, "/")}

    def get(self, path, **kwargs):
        return self.client.get(path, **kwargs)

    def post(self, path, json=None, **kwargs):
        return self.client.post(path, json=json, headers=self.headers, **kwargs)

    def patch(self, path, json=None):
        return self.client.patch(path, json=json, headers=self.headers)

    def put(self, path):
        return self.client.put(path, headers=self.headers)

    def delete(self, path):
        return self.client.delete(path, headers=self.headers)


@pytest.fixture
def api(app, demo, tmp_path):
    """``api("supervisor")``: a signed-in API client for a demo user."""
    app.config["PORTAL"]["uploads"]["folder"] = str(tmp_path / "uploads")
    clients = {}

    def get(username):
        if username not in clients:
            clients[username] = ApiClient(app, username)
        return clients[username]

    return get
