"""Helpers for inspection tests: photos made here (one carrying GPS), a planned inspection."""

import contextlib
import io

import pytest
from PIL import Image

from portal.inspections import services
from portal.kernel.clock import local_today
from portal.kernel.db import database
from tests.items.conftest import People, act, register  # noqa: F401


def jpeg_with_gps(size=(640, 480), orientation=6):
    """A JPEG a phone might send: EXIF orientation (rotate 90° clockwise), GPS position, camera make."""
    image = Image.new("RGB", size, (40, 90, 160))
    image.paste((250, 250, 0), (0, 0, size[0] // 4, size[1] // 4))  # a yellow corner, to see the rotation
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 2.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def png_with_text():
    image = Image.new("RGBA", (300, 200), (0, 128, 0, 200))
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "GPS 39.9,116.4")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0)}
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info, exif=exif)
    return out.getvalue()


def webp_photo():
    out = io.BytesIO()
    Image.new("RGB", (200, 150), (9, 9, 9)).save(out, "WEBP", exif=Image.Exif().tobytes() or b"")
    return out.getvalue()


@pytest.fixture
def people(app, demo, tmp_path):
    """The demo people. (No app context stays pushed: the test clients' requests must each have their own
    ``g``, or flask-login and the CSRF token would leak between requests.)"""
    app.config["PORTAL"]["uploads"]["folder"] = str(tmp_path / "uploads")
    return People()


@pytest.fixture
def reading(app):
    """``with reading():`` an app context and a database connection for the test's own queries."""
    @contextlib.contextmanager
    def context():
        with app.test_request_context(), database.connection_context():
            yield
    return context


@pytest.fixture
def world(app, people):
    """An item in progress for property (co: catering), another for culture, and an inspection linking the
    first, with the supervisor and the property handler as members."""
    with app.test_request_context(), database.connection_context():
        item = register(people.supervisor)
        item = act(people.supervisor, item, "dispatch")
        item = act(people.handler, item, "accept")
        other = register(people.supervisor, title="文体中心场馆维修", lead_department="culture", co_departments=[])
        other = act(people.supervisor, other, "dispatch")
        inspection = services.plan(people.supervisor, {
            "subject": "供暖设施入户检查", "date": local_today().isoformat(), "places": "一区\n三区锅炉房",
            "members": ["supervisor", "handler"], "items": [item.number, other.number]})
    return {"item": item, "other": other, "inspection": inspection}


def post_finding(client, inspection_id, text="锅炉房漏水，地面结冰", files=(), **fields):
    data = {"csrf_token": client.token, "text": text, "severity": "serious", **fields}
    data["photos"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(f"/inspections/{inspection_id}/findings", data=data, content_type="multipart/form-data")


@pytest.fixture
def store(tmp_path):
    """``store(sha256)``: where the upload store keeps that content (the test's uploads folder)."""
    return lambda sha256: tmp_path / "uploads" / sha256[:2] / sha256
