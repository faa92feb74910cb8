"""The iCalendar feed (RFC 5545) of the deadlines of the items a user handles, supervises or leads.

The secret URL is ``/feeds/<nonce>.<mac>.ics``: the nonce finds the feed, the
HMAC (keyed with the portal's secret key) proves the URL was issued by us, so
a copy of the database alone does not give anyone the feeds.
"""

import base64
import datetime
import hashlib
import hmac
import secrets

from flask import current_app, url_for
from flask_babel import gettext as _

from ..items.labels import STATE_LABELS
from ..items.models import Item, ItemCoDepartment, is_open
from ..kernel.db import database, utcnow
from .models import CalendarFeed

# A calendar client downloads the whole feed each time; the nearest deadlines matter most.
MAX_EVENTS = 2000


def _mac(nonce):
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"calendar-feed:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode().rstrip("=")


def feed_token(feed):
    """The secret part of the feed's URL."""
    return f"{feed.nonce}.{_mac(feed.nonce)}"


def feed_of(user):
    """The user's feed, or None before they created one."""
    return CalendarFeed.get_or_none(CalendarFeed.user == user.id)


def feed_url(user):
    """The full secret URL of ``user``'s feed, or None."""
    feed = feed_of(user)
    return url_for("reports.calendar_feed", token=feed_token(feed), _external=True) if feed else None


def rotate(user):
    """Create the user's feed, or give it a new secret URL (the old one stops working at once)."""
    nonce = secrets.token_urlsafe(18)
    with database.atomic():
        updated = CalendarFeed.update(nonce=nonce, created_at=utcnow()).where(CalendarFeed.user == user.id).execute()
        if not updated:
            CalendarFeed.create(user=user.id, nonce=nonce)
    return nonce


def revoke(user):
    """End the user's feed (hooks.credentials_revoked): its URL answers 404 until they create a new one."""
    return CalendarFeed.delete().where(CalendarFeed.user == user.id).execute()


def user_for_token(token):
    """The user whose feed ``token`` opens, or None (unknown, rotated or forged)."""
    nonce, _dot, mac = (token or "").partition(".")
    if not nonce or not mac or not hmac.compare_digest(mac, _mac(nonce)):
        return None
    feed = CalendarFeed.get_or_none(CalendarFeed.nonce == nonce)
    return feed.user if feed is not None and feed.user.active else None


def deadline_items(user):
    """Open items ``user`` leads, supervises, or handles (lead or co-department), nearest deadline first."""
    condition = (Item.leader == user.id) | (Item.supervisor == user.id)
    if user.has_role("handler") and user.department_id is not None:
        co = ItemCoDepartment.select(ItemCoDepartment.item).where(ItemCoDepartment.department == user.department_id)
        condition |= (Item.lead_department == user.department_id) | Item.id.in_(co)
    return (Item.select().where(is_open(), condition)
            .order_by(Item.deadline, Item.id).limit(MAX_EVENTS))


def calendar_for(user):
    """The feed as iCalendar bytes: one all-day event on each open item's deadline."""
    # (imported here: a web worker that serves no feed is spared its ~3 MB)
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Duban Portal//督办门户//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _("Deadlines of %(name)s", name=user.display_name or user.username))
    stamp = utcnow().replace(tzinfo=datetime.UTC)
    host = url_for("home.index", _external=True).split("//", 1)[-1].split("/", 1)[0]
    for item in deadline_items(user):
        event = Event()
        event.add("uid", f"{item.number}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.deadline)
        event.add("dtend", item.deadline + datetime.timedelta(days=1))
        event.add("summary", _("Deadline: %(number)s %(title)s", number=item.number, title=item.title))
        event.add("description", _("State: %(state)s. Progress: %(progress)s%%.",
                                   state=STATE_LABELS.get(item.state, item.state), progress=item.progress))
        event.add("url", url_for("items.detail", number=item.number, _external=True))
        event.add("sequence", item.version)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
