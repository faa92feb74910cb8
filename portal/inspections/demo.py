"""Demo inspection (docs/demo.md): last week's visit to the heating sites, two findings with photos, one of them
turned into an item. Made through the real services, so the photos are cleaned and stored like any other."""

import datetime
import io

from PIL import Image, ImageDraw
from werkzeug.datastructures import FileStorage

from ..auth.models import User
from ..items.models import Item
from ..kernel.clock import local_today
from . import services
from .models import Inspection


def _photo(colour, seed):
    """A made-up site photo: a wall, a pipe and a puddle in the given colour."""
    image = Image.new("RGB", (1280, 960), (170, 170, 165))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 640, 1280, 960), fill=(110, 105, 100))
    draw.rectangle((100 + seed * 40, 200, 1180, 260), fill=(90, 90, 95))
    draw.ellipse((300 + seed * 60, 700, 900, 860), fill=colour)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return FileStorage(io.BytesIO(out.getvalue()), filename=f"IMG_20{seed:02d}.jpg", content_type="image/jpeg")


def seed_inspections():
    """The demo inspection, once (nothing when one exists); return how many were made."""
    if Inspection.select().exists():
        return 0
    supervisor = User.get(User.username == "supervisor")
    handler = User.get(User.username == "handler")
    heating = Item.get_or_none(Item.title == "供暖接入市网", Item.parent.is_null())
    inspection = services.plan(supervisor, {
        "subject": "供暖设施入户检查", "date": (local_today() - datetime.timedelta(days=5)).isoformat(),
        "places": "三区锅炉房\n五区12号楼", "members": ["supervisor", "handler"],
        "items": [heating.number] if heating else []})
    first = services.record_finding(handler, inspection, {
        "text": "三区锅炉房回水管道渗漏，地面结冰，有滑倒风险", "severity": "critical"},
        [_photo((200, 230, 250), 1), _photo((190, 220, 245), 2)])
    services.record_finding(supervisor, inspection, {
        "text": "五区12号楼三单元室温仅16度，住户反映暖气不热", "severity": "serious",
        "item": heating.number if heating else ""}, [_photo((150, 60, 40), 3)])
    services.convert(supervisor, inspection, first, {"to": "item", "lead_department": "property"})
    return 1
