"""Issue 21, findings 8 and 12: nothing behind sign-in is cached as public (downloads of personal data
not at all), static assets keep their long public caching; the download URLs the API returns open with
a bearer token; ids above 2^63 are 404; one charset; the training schema says what the API answers."""

import io

import jsonschema
import pytest

from portal.auth.models import User
from portal.auth.tokens import create_token
from tests.conftest import bearer
from tests.kb.conftest import docx_bytes, write_article
from tests.training.test_trainings import new_training

ITEM = {"title": "燃气入户", "source_type": "meeting", "lead_department": "property"}


def token_of(app, username):
    with app.app_context():
        return create_token(User.get(User.username == username))[1]


def attach(client, number, name="说明.txt", content="第一行\n".encode()):
    response = client.post(f"/api/v1/items/{number}/attachments",
                           data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def test_pages_and_api_answers_are_private_and_static_assets_public(app, sign_in, demo):
    supervisor = sign_in("supervisor")
    for path in ("/", "/items", "/api/v1/me", "/api/v1/items", "/no-such-page"):
        control = supervisor.get(path).headers.get("Cache-Control", "")
        assert "private" in control and "public" not in control, (path, control)
    page = supervisor.get("/").get_data(as_text=True)
    css = next(part.split('"')[0] for part in page.split('href="')[1:] if part.startswith("/static/"))
    control = supervisor.get(css).headers["Cache-Control"]
    assert "public" in control and "max-age=31536000" in control


def test_downloads_of_personal_data_are_no_store(app, sign_in, demo):
    supervisor = sign_in("supervisor")
    number = supervisor.post("/api/v1/items", json=ITEM).get_json()["number"]
    url = attach(supervisor, number)["url"]
    for path in (url, "/petitions/export.csv", "/items/export.xlsx"):
        response = supervisor.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "private, no-store", path


def test_a_text_download_names_its_charset_once(app, sign_in, demo):
    supervisor = sign_in("supervisor")
    number = supervisor.post("/api/v1/items", json=ITEM).get_json()["number"]
    response = supervisor.get(attach(supervisor, number)["url"])
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_the_download_urls_of_the_api_accept_the_bearer_token_with_the_same_permission(app, sign_in, demo):
    supervisor = sign_in("supervisor")
    training = new_training(supervisor)
    upload = supervisor.post(f"/trainings/{training['id']}/files",
                             data={"file": (io.BytesIO(docx_bytes("讲义")), "讲义.docx"), "csrf_token": supervisor.token},
                             content_type="multipart/form-data", csrf_header=False)
    assert upload.status_code == 303
    api = app.test_client()
    token = token_of(app, "handler")
    body = api.get(f"/api/v1/trainings/{training['id']}", headers=bearer(token)).get_json()
    for url in (body["files"][0]["url"], body["ics"]):
        response = api.get(url, headers=bearer(token))
        assert response.status_code == 200, url
        assert "Set-Cookie" not in response.headers
        assert api.get(url, headers=bearer("dbn_forged")).status_code == 401
        assert api.get(url).status_code in (302, 303)  # without anything: the sign-in page, as before
    # The kb attachment and a finished job's file are marked the same way.
    from portal.kb import views as kb_views
    from portal.reports import views as report_views

    assert kb_views.download.accepts_bearer and report_views.job_download.accepts_bearer


@pytest.mark.parametrize("method, path", [
    ("patch", "/api/v1/kb/articles/{id}"),
    ("delete", "/api/v1/trainings/{id}/enrolment"),
    ("get", "/api/v1/trainings/{id}"),
])
@pytest.mark.parametrize("big", [2**63, 2**64, 10**30])
def test_ids_above_2_63_are_404_not_405(sign_in, demo, method, path, big):
    response = getattr(sign_in("supervisor"), method)(path.format(id=big), json={})
    assert response.status_code == 404


def test_a_training_answers_as_its_schema_says(app, sign_in, demo):
    supervisor = sign_in("supervisor")
    article = write_article(supervisor)
    training = new_training(supervisor, materials=[article["id"]])
    assert training["materials"][0]["id"] == article["id"]
    document = supervisor.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/trainings/{training_id}"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    answer = supervisor.get(f"/api/v1/trainings/{training['id']}").get_json()
    jsonschema.validate(answer, schema)
    created = document["paths"]["/api/v1/trainings"]["post"]["responses"]["201"]["content"]
    jsonschema.validate(training, created["application/json"]["schema"])
