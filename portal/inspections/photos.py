"""Photos of findings: images only (checked by content), turned upright, re-encoded without any metadata
(EXIF, GPS, XMP, ICC, text chunks), with a thumbnail; kept in the kernel's content-addressed upload store (files.py)."""

import io

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from ..kernel import files, quotas
from ..kernel.errors import Invalid, PortalError

# Format Pillow reads -> (stored as, content type, extension)
FORMATS = {"JPEG": ("JPEG", "image/jpeg", "jpg"), "PNG": ("PNG", "image/png", "png"),
           "WEBP": ("WEBP", "image/webp", "webp")}
LONGEST_SIDE = 3000  # stored photos are scaled down to this; a phone's 12 MP photo stays sharp on A4
THUMB_SIDE = 480


class TooLarge(PortalError):
    """A photo over ``inspections.photo_max_bytes``: 413, like a request over the server's limit."""

    status, code = 413, "too_large"


def _refuse(message):
    raise Invalid(message, fields={"photos": message})


def _settings():
    return current_app.config["PORTAL"]["inspections"]


def _sniff(head):
    """The format the first bytes say (JPEG, PNG, WEBP), or None: the name and the claimed type count for nothing."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def _read(file_storage):
    """The upload's bytes; TooLarge past the limit, read in chunks so a huge body is not held whole."""
    limit = _settings()["photo_max_bytes"]
    buffer, size = io.BytesIO(), 0
    while chunk := file_storage.stream.read(files.CHUNK):
        size += len(chunk)
        if size > limit:
            message = _("A photo may be at most %(mb)s MB.", mb=round(limit / 1048576, 1))
            raise TooLarge(message, fields={"photos": message})
        buffer.write(chunk)
    if size == 0:
        _refuse(_("The photo is empty."))
    return buffer.getvalue()


def _encode(image, fmt, **options):
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def _flatten(image):
    """``image`` in RGB (transparency on white), for JPEG."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB") if image.mode != "RGB" else image


def clean_photo(data):
    """(stored bytes, thumbnail bytes, content type, width, height) for a photo's ``data``; 422 unless it is
    a JPEG, PNG or WebP image. The result carries no metadata at all: only the pixels, upright."""
    fmt = _sniff(data[:16])
    if fmt is None:
        _refuse(_("Only photos are accepted (JPEG, PNG or WebP)."))
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as image:
            max_pixels = _settings()["photo_max_pixels"]
            if image.width * image.height > max_pixels:  # refused before it is decoded (decompression bombs)
                _refuse(_("The photo has too many pixels (at most %(mp)s million).", mp=max_pixels // 1_000_000))
            if fmt == "JPEG":  # decoded at 1/2, 1/4 or 1/8 scale when still larger than what is kept
                image.draft(image.mode, (LONGEST_SIDE, LONGEST_SIDE))
            image.load()
            # The camera's orientation tag first (it is about to be dropped with the rest of the EXIF).
            upright = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        _refuse(_("The photo could not be read; it may be damaged."))
    if upright.mode not in ("RGB", "RGBA", "L", "LA"):
        upright = upright.convert("RGBA" if "transparency" in upright.info or upright.mode in ("P", "PA")
                                  else "RGB")
    upright.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
    # A new image from the pixels alone: nothing of the original's info (EXIF, GPS, XMP, ICC, comments) survives.
    pixels = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    stored_as, content_type, _ext = FORMATS[fmt]
    if stored_as == "JPEG":
        body = _encode(_flatten(pixels), "JPEG", quality=85, optimize=True)
    elif stored_as == "PNG":
        body = _encode(pixels, "PNG", optimize=True)
    else:
        body = _encode(pixels, "WEBP", quality=85)
    thumb = _flatten(pixels.copy())
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    return body, _encode(thumb, "JPEG", quality=80), content_type, pixels.width, pixels.height


def prepare(uploads):
    """Check and clean the photos of one finding (outside any transaction); return (photo rows' values,
    staged uploads for kept_on_commit). 413 for a photo over the limit, 422 for anything not a photo."""
    uploads = [f for f in uploads if f is not None and getattr(f, "filename", "")]
    limit = _settings()["photos_per_finding"]
    if len(uploads) > limit:
        _refuse(_("At most %(n)s photos per finding.", n=limit))
    for _upload in uploads:
        quotas.use("uploads")
    cleaned = [clean_photo(_read(f)) for f in uploads]
    photos, staged = [], []
    try:
        for body, thumb, content_type, width, height in cleaned:
            main, small = files.stage(body, "photo-"), files.stage(thumb, "photo-")
            staged += [main, small]
            photos.append({"sha256": main["sha256"], "thumb_sha256": small["sha256"], "size": main["size"],
                           "content_type": content_type, "width": width, "height": height})
    except BaseException:
        files.discard(staged)
        raise
    return photos, staged


def extension(photo):
    return {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}[photo.content_type]


def serve(photo, thumb=False):
    """The photo (or its JPEG thumbnail) as an image download: typed by what it was re-encoded as."""
    sha = photo.thumb_sha256 if thumb else photo.sha256
    mimetype = "image/jpeg" if thumb else photo.content_type
    name = f"finding-{photo.finding_id}-{photo.id}{'-thumb.jpg' if thumb else '.' + extension(photo)}"
    return files.serve(sha, name, mimetype=mimetype, max_age=3600)


def path_of(sha256):
    """Where the store keeps ``sha256`` (for tests and the report)."""
    return files.path(sha256)
