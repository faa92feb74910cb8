"""Photos of findings: images only, by content; location and every other metadata gone from the stored
file (read back with Pillow); upright; a thumbnail; a too-large photo refused with 413; nothing left over."""

import io

from PIL import Image

from portal.inspections.models import Finding, FindingPhoto
from portal.kernel import files

from .conftest import jpeg_with_gps, png_with_text, post_finding, webp_photo


def read_back(path):
    with Image.open(path) as image:
        image.load()
        return image.format, image.size, image.getexif(), dict(image.info), image.getpixel((5, 5))


def test_a_phone_photo_is_stored_without_gps_or_any_metadata_and_upright(app, world, sign_in, reading, store):
    client = sign_in("handler")
    inspection = world["inspection"]
    response = post_finding(client, inspection.id, files=[("IMG_0001.jpg", jpeg_with_gps())])
    assert response.status_code == 303, response.get_data(as_text=True)
    with reading():
        photo = FindingPhoto.get()
    fmt, size, exif, info, corner = read_back(store(photo.sha256))
    assert fmt == "JPEG"
    assert len(exif) == 0 and exif.get_ifd(0x8825) == {}  # no EXIF at all, so no GPS and no camera
    assert not {"exif", "xmp", "icc_profile", "comment"} & set(info)
    assert b"PhoneMaker" not in store(photo.sha256).read_bytes()
    # Orientation 6 (turn 90° clockwise) was applied before the tag was dropped: 640x480 became 480x640,
    # and the yellow corner that was top-left is now top-right.
    assert size == (480, 640) and (photo.width, photo.height) == (480, 640)
    assert corner[2] > 100 and corner[0] < 120  # top-left is now the blue of the photo, not the yellow corner
    thumb_format, thumb_size, thumb_exif, _info, _ = read_back(store(photo.thumb_sha256))
    assert thumb_format == "JPEG" and max(thumb_size) <= 480 and len(thumb_exif) == 0
    # Served back as an image, never as the uploaded name.
    page = client.get(f"/inspections/{inspection.id}")
    assert f"/inspections/{inspection.id}/photos/{photo.id}/thumb" in page.get_data(as_text=True)
    served = client.get(f"/inspections/{inspection.id}/photos/{photo.id}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert "IMG_0001" not in served.headers["Content-Disposition"]
    assert served.data == store(photo.sha256).read_bytes()


def test_png_and_webp_are_kept_in_their_format_without_text_chunks_or_exif(app, world, sign_in, reading, store):
    client = sign_in("supervisor")
    response = post_finding(client, world["inspection"].id,
                            files=[("a.png", png_with_text()), ("b.webp", webp_photo())])
    assert response.status_code == 303
    with reading():
        png, webp = FindingPhoto.select().order_by(FindingPhoto.id)
    fmt, _size, exif, info, _ = read_back(store(png.sha256))
    assert fmt == "PNG" and len(exif) == 0 and "Comment" not in info and "exif" not in info
    assert b"GPS 39.9" not in store(png.sha256).read_bytes()
    assert read_back(store(webp.sha256))[0] == "WEBP" and webp.content_type == "image/webp"


def test_the_content_decides_not_the_name(app, world, sign_in, reading):
    client = sign_in("handler")
    inspection = world["inspection"]
    pdf = post_finding(client, inspection.id, files=[("photo.jpg", b"%PDF-1.4 not a photo")])
    assert pdf.status_code == 422
    assert "只接受照片" in pdf.get_data(as_text=True)
    svg = post_finding(client, inspection.id, files=[("x.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>")])
    assert svg.status_code == 422
    broken = post_finding(client, inspection.id, files=[("x.jpg", jpeg_with_gps()[:300])])
    assert broken.status_code == 422
    with reading():
        assert Finding.select().count() == 0
    renamed = post_finding(client, inspection.id, files=[("notes.txt", jpeg_with_gps())])
    assert renamed.status_code == 303
    with reading():
        assert FindingPhoto.get().content_type == "image/jpeg"


def test_a_20_mb_photo_is_refused_with_413_and_leaves_nothing_behind(app, world, sign_in, tmp_path, reading):
    client = sign_in("handler")
    big = jpeg_with_gps() + b"\0" * (20 * 1000 * 1000)
    response = post_finding(client, world["inspection"].id, files=[("huge.jpg", big)])
    assert response.status_code == 413
    assert "照片最大" in response.get_data(as_text=True)
    api = client.post(f"/api/v1/inspections/{world['inspection'].id}/findings",
                      data={"text": "x", "photos": [(io.BytesIO(big), "huge.jpg")]},
                      headers={"X-CSRFToken": client.token}, content_type="multipart/form-data")
    assert api.status_code == 413 and api.get_json()["error"]["fields"]["photos"]
    with reading():
        assert Finding.select().count() == 0
    incoming = tmp_path / "uploads" / "incoming"
    assert not incoming.exists() or not any(incoming.iterdir())


def test_too_many_photos_are_refused(app, world, sign_in, reading):
    app.config["PORTAL"]["inspections"]["photos_per_finding"] = 2
    client = sign_in("handler")
    response = post_finding(client, world["inspection"].id,
                            files=[(f"{n}.jpg", jpeg_with_gps()) for n in range(3)])
    assert response.status_code == 422
    with reading():
        assert Finding.select().count() == 0


def test_the_hourly_sweep_keeps_photos_and_thumbnails(app, world, sign_in, tmp_path, reading, store):
    import datetime

    client = sign_in("handler")
    post_finding(client, world["inspection"].id, files=[("a.jpg", jpeg_with_gps())])
    with reading():
        photo = FindingPhoto.get()
    orphan = tmp_path / "uploads" / "ab" / ("ab" + "0" * 62)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"nobody points here")
    with reading():
        removed = files.sweep(older_than=datetime.timedelta(0))
    assert removed == 1 and not orphan.exists()
    assert store(photo.sha256).is_file() and store(photo.thumb_sha256).is_file()
