"""Photos are private to signed-in users (never cached as public), and the URLs the API hands out open
with the API client's bearer token under the same permission check (issue 21, findings 8 and 12)."""

from portal.auth.models import User
from portal.auth.tokens import create_token
from portal.inspections.models import FindingPhoto
from tests.conftest import bearer

from .conftest import jpeg_with_gps, post_finding


def test_photos_and_thumbnails_are_cached_privately(app, world, sign_in, reading):
    client = sign_in("handler")
    inspection = world["inspection"]
    assert post_finding(client, inspection.id, files=[("a.jpg", jpeg_with_gps())]).status_code == 303
    with reading():
        photo = FindingPhoto.get()
    for suffix in ("", "/thumb"):
        served = client.get(f"/inspections/{inspection.id}/photos/{photo.id}{suffix}")
        assert served.status_code == 200
        control = served.headers["Cache-Control"]
        assert "private" in control and "public" not in control, control


def test_the_photo_urls_of_the_api_open_with_a_bearer_token_and_its_permission(app, world, sign_in, reading):
    inspection = world["inspection"]
    assert post_finding(sign_in("handler"), inspection.id,
                        files=[("a.jpg", jpeg_with_gps())]).status_code == 303
    with reading():
        _row, token = create_token(User.get(User.username == "handler"))
        _row, outsider = create_token(User.get(User.username == "admin"))
    api = app.test_client()
    body = api.get(f"/api/v1/inspections/{inspection.id}", headers=bearer(token)).get_json()
    photo = next(p for f in body["findings"] for p in f["photos"])
    for url in (photo["url"], photo["thumbnail"]):
        served = api.get(url, headers=bearer(token))
        assert served.status_code == 200 and served.mimetype == "image/jpeg", url
        assert "Set-Cookie" not in served.headers  # a token request makes no session
        assert api.get(url, headers=bearer(outsider)).status_code in (403, 404)
        assert api.get(url, headers=bearer("dbn_forged")).status_code == 401
    # Pages are still cookie-only: the header does not sign a page request in.
    page = api.get(f"/inspections/{inspection.id}", headers=bearer(token))
    assert page.status_code in (302, 303)
