"""Per-user quotas on expensive work (issue 21, finding 7): searches, exports, jobs and uploads answer
429 with Retry-After and a message in Chinese past their limit; the counts are shared by every web process
(Redis, or the database without it); photos with too many pixels are refused before decoding."""

import io

import pytest
from PIL import Image
from redis import Redis

from portal.kernel.config import DEFAULTS
from tests.conftest import with_demo_people
from tests.servers import RedisServer


@pytest.fixture
def own_redis():
    server = RedisServer().start()
    yield server
    server.close()


def portal(make_app, **quotas):
    return with_demo_people(make_app(quotas=quotas))


def test_searches_past_the_quota_are_429_with_retry_after_in_chinese(make_app, sign_in):
    app = portal(make_app, searches=3)
    handler = sign_in("handler", app=app)
    for _ in range(3):
        assert handler.get("/search?q=供暖").status_code == 200
    refused = handler.get("/search?q=供暖")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "请求过于频繁" in refused.get_data(as_text=True)
    api = handler.get("/api/v1/search?q=供暖")
    assert api.status_code == 429 and api.get_json()["error"]["code"] == "too_many_requests"
    assert "Retry-After" in api.headers
    # Another user has a quota of their own; the page without a query costs nothing.
    assert sign_in("supervisor", app=app).get("/search?q=供暖").status_code == 200
    assert handler.get("/search").status_code == 200


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_the_counts_are_shared_by_every_web_process(make_app, sign_in, own_redis, database_url):
    """Two apps (two web processes) on the same database, then on the same Redis, share one count."""
    Redis.from_url(own_redis.url).flushall()
    for redis in ({}, {"url": own_redis.url}):
        first = with_demo_people(make_app(quotas={"exports": 2}, redis=redis))
        second = make_app(quotas={"exports": 2}, redis=redis)
        path = "/petitions/export.csv"
        assert sign_in("supervisor", app=first, new_session=True).get(path).status_code == 200
        assert sign_in("supervisor", app=second, new_session=True).get(path).status_code == 200
        assert sign_in("supervisor", app=first, new_session=True).get(path).status_code == 429
        from portal.kernel.db import database
        from portal.kernel.quotas import QuotaUse

        with first.app_context(), database.connection_context():
            QuotaUse.delete().execute()
        if redis:
            assert Redis.from_url(own_redis.url).keys("portal:quota:*")


def test_exports_and_uploads_have_quotas(make_app, sign_in):
    app = portal(make_app, exports=1, uploads=2)
    supervisor = sign_in("supervisor", app=app)
    assert supervisor.get("/items/export.xlsx").status_code == 200
    assert supervisor.get("/stats/export.xlsx").status_code == 429
    number = supervisor.post("/api/v1/items", json={"title": "燃气入户", "source_type": "meeting",
                                                    "lead_department": "property"}).get_json()["number"]

    def upload():
        return supervisor.post(f"/api/v1/items/{number}/attachments", content_type="multipart/form-data",
                               data={"file": (io.BytesIO("说明".encode()), "说明.txt")})

    assert [upload().status_code for _ in range(3)] == [201, 201, 429]


def test_one_report_job_at_a_time_per_user_and_a_bounded_queue(make_app, sign_in, own_redis):
    Redis.from_url(own_redis.url).flushall()
    app = with_demo_people(make_app(redis={"url": own_redis.url}, quotas={"queued_jobs": 2}))
    body = {"from": "2026-03-01", "to": "2026-03-31"}
    leader = sign_in("leader", app=app)
    assert leader.post("/api/v1/reports/circular", json=body).status_code == 202  # queued: no worker here
    again = leader.post("/api/v1/reports/circular", json=body)
    assert again.status_code == 429 and "Retry-After" in again.headers
    assert "仍在生成" in again.get_json()["error"]["message"]
    assert sign_in("supervisor", app=app).post("/api/v1/reports/circular", json=body).status_code == 202
    # Two jobs wait in the queue: the next one of anybody's is refused.
    from portal.kernel.db import database
    from portal.reports.models import ReportJob

    with app.app_context(), database.connection_context():
        from portal.auth.models import User

        mine = ReportJob.select().join(User).where(User.username == "leader").get()
        ReportJob.update(state="finished").where(ReportJob.id == mine.id).execute()
        ReportJob.create(user=User.get(User.username == "admin"), kind="circular", params={}, state="queued")
    crowded = leader.post("/api/v1/reports/circular", json=body)
    assert crowded.status_code == 429 and "较多" in crowded.get_json()["error"]["message"]


def test_a_report_interrupted_mid_run_is_shown_failed_and_frees_its_owner(make_app, sign_in, own_redis):
    """A worker stopped cold leaves its report job "started": once it has run longer than any report may,
    its owner sees it failed (not a progress bar for ever) and may start another (no 429)."""
    import datetime

    from portal.auth.models import User
    from portal.kernel.db import database, utcnow
    from portal.reports.models import ReportJob

    Redis.from_url(own_redis.url).flushall()
    app = with_demo_people(make_app(redis={"url": own_redis.url}))
    leader = sign_in("leader", app=app)
    with app.app_context(), database.connection_context():
        stuck = ReportJob.create(user=User.get(User.username == "leader"), kind="circular", params={},
                                 state="started", progress=40, created_at=utcnow() - datetime.timedelta(minutes=20))
    shown = leader.get(f"/api/v1/jobs/{stuck.id}").get_json()
    assert shown["state"] == "failed" and "中断" in shown["result"]["error"]
    assert leader.post("/api/v1/reports/circular", json={"from": "2026-03-01", "to": "2026-03-31"}).status_code == 202


def test_the_defaults_leave_a_person_room_and_bound_photos_well_below_49_megapixels():
    quotas = DEFAULTS["quotas"]
    assert quotas["searches"] >= 30 and quotas["exports"] >= 5 and quotas["uploads"] >= 10
    assert DEFAULTS["inspections"]["photo_max_pixels"] < 49_000_000


def test_a_photo_over_the_pixel_bound_is_refused_before_decoding(make_app):
    from portal.inspections import photos
    from portal.kernel.errors import Invalid

    app = make_app(inspections={"photo_max_pixels": 1_000_000})
    big = io.BytesIO()
    Image.new("RGB", (1200, 1000), (200, 10, 10)).save(big, "JPEG")
    with app.app_context(), pytest.raises(Invalid) as refused:
        photos.clean_photo(big.getvalue())
    assert "photos" in refused.value.fields
    small = io.BytesIO()
    Image.new("RGB", (4000, 3000), (200, 10, 10)).save(small, "JPEG")
    app = make_app()
    with app.app_context():
        body, _thumb, _type, width, height = photos.clean_photo(small.getvalue())
    assert max(width, height) <= photos.LONGEST_SIDE


def test_migration_34_adds_the_quota_table_to_a_database_of_the_current_release(make_app):
    from portal.kernel.db import database
    from portal.kernel.quotas import QuotaUse
    from portal.migrations import SchemaVersion, upgrade

    app = make_app()
    with app.app_context(), database.connection_context():
        database.drop_tables([QuotaUse])
        SchemaVersion.delete().where(SchemaVersion.version == 34).execute()
        assert upgrade() == [34]
        assert upgrade() == []
        assert QuotaUse.select().count() == 0
        assert "quota_use_key_used_at" in {i.name for i in database.get_indexes("quota_use")}


def test_every_operation_a_quota_counts_documents_its_429(make_app, sign_in):
    """Uploads count against a quota wherever they arrive, the photos of a finding too."""
    from portal.kernel.openapi import QUOTA_LIMITED

    document = sign_in("supervisor", app=portal(make_app)).get("/api/v1/openapi.json").get_json()
    assert ("/api/v1/inspections/{inspection_id}/findings", "post") in QUOTA_LIMITED
    for path, method in QUOTA_LIMITED:
        assert "429" in document["paths"][path][method]["responses"], (path, method)


def test_registration_past_the_upload_quota_keeps_its_form(make_app, sign_in):
    from tests.conftest import csrf_token

    supervisor = sign_in("supervisor", app=portal(make_app, uploads=2))
    response = supervisor.post("/items/new", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(supervisor, "/items/new"), "title": "燃气入户排查", "source_type": "meeting",
        "lead_department": "property", "content": "要求",
        "attachments": [(io.BytesIO(f"说明{n}".encode()), f"说明{n}.txt") for n in range(3)]})
    page = response.get_data(as_text=True)
    assert response.status_code == 429 and "Retry-After" in response.headers
    assert 'value="燃气入户排查"' in page  # what was typed stays
    field = page[page.index('id="attachments"') - 600:page.index('id="attachments"') + 900]
    assert "此类请求过于频繁" in field, field  # the message beside the files


def test_uses_arriving_together_pass_no_more_than_the_limit_in_redis(own_redis):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from portal.kernel.quotas import _redis_use

    redis = Redis.from_url(own_redis.url)
    redis.flushall()
    start = Barrier(16)

    def attempt(_n):
        start.wait()
        return _redis_use(Redis.from_url(own_redis.url), "searches:7", 5, 60)

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(attempt, range(16)))
    assert sum(1 for wait in results if wait is None) == 5
    assert all(0 < wait <= 60 for wait in results if wait is not None)
    assert redis.zcard("portal:quota:searches:7") == 5  # the refused took their uses back
