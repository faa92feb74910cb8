"""Crafted requests outside the item forms (issue 10, finding 8)."""

from tests.conftest import csrf_token


def test_an_htmx_sign_in_with_a_chinese_next_redirects_with_an_ascii_header(client, demo):
    token = csrf_token(client)
    response = client.post("/login?next=/items?q=供暖", data={"username": "supervisor", "password": "demo",
                                                              "csrf_token": token},
                           headers={"HX-Request": "true"})
    assert response.status_code == 204
    location = response.headers["HX-Redirect"]
    assert location.isascii() and location == "/items?q=%E4%BE%9B%E6%9A%96"
