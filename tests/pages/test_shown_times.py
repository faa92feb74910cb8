"""One rule for every time people read (kernel/clock.py): local (app.timezone), 2026-12-08 00:30 for a
time, 2026-12-08 for a day; a date-only field stays a date. An event at 16:30 UTC on 7 December is
00:30 on 8 December in Asia/Shanghai on every page that shows it."""

import csv
import datetime
import io
import re

from portal.auth.models import User
from portal.calendar.models import CalendarYear
from portal.items.models import Item, ItemEvent
from portal.kb import services as kb
from portal.kernel.clock import shown_date, shown_datetime
from portal.kernel.db import database
from portal.notify.models import Notification

EVENING_UTC = datetime.datetime(2026, 12, 7, 16, 30)
SHOWN = "2026-12-08 00:30"


def texts(html):
    """The page's text, tags dropped and spaces folded."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_rule_itself(app):
    with app.app_context():
        assert shown_datetime(EVENING_UTC) == SHOWN
        assert shown_date(EVENING_UTC) == "2026-12-08"
        assert shown_datetime(datetime.datetime(2026, 12, 7, 16, 30, tzinfo=datetime.UTC)) == SHOWN
        assert shown_datetime(datetime.date(2026, 12, 7)) == "2026-12-07"  # a date gets no invented hour
        assert shown_datetime(datetime.datetime(2026, 12, 8, 9, 0), wall=True) == "2026-12-08 09:00"
        assert shown_datetime(None) == "" and shown_date(None) == ""
        app.config["PORTAL"]["app"]["timezone"] = "UTC"
        assert shown_datetime(EVENING_UTC) == "2026-12-07 16:30"


def test_pages_show_local_times_across_midnight(app, sign_in, make_item):
    number = make_item()
    with app.app_context(), database.connection_context():
        supervisor = User.get(User.username == "supervisor")
        item = Item.get(Item.number == number)
        ItemEvent.update(created_at=EVENING_UTC).where(ItemEvent.item == item.id,
                                                        ItemEvent.action == "dispatch").execute()
        Notification.create(user=supervisor, kind="urge", title="午夜前的催办", created_at=EVENING_UTC)
    with app.test_request_context(), database.connection_context():
        article = kb.create_article(User.get(User.username == "supervisor"),
                                    {"title": "督办工作规范", "category": "regulation", "body": "正文",
                                     "status": "published"})
        from portal.kb.models import Article

        Article.update(updated_at=EVENING_UTC, published_at=EVENING_UTC).where(Article.id == article.id).execute()
        CalendarYear.insert(year=2026, source="admin", updated_at=EVENING_UTC).on_conflict(
            conflict_target=[CalendarYear.year], update={CalendarYear.updated_at: EVENING_UTC}).execute()

    client = sign_in("supervisor")
    timeline = client.get(f"/items/{number}").get_data(as_text=True)
    dispatch = re.search(r'<li class="event-dispatch">\s*<div class="when">([^<]*)</div>', timeline).group(1)
    assert dispatch.startswith(SHOWN)

    notifications = client.get("/notifications").get_data(as_text=True)
    row = re.search(r'<li id="notification-\d+"[^>]*>\s*<span class="muted">([^<]*)</span>[^<]*<strong>[^<]*</strong>:'
                    r'\s*(?:<a[^>]*>)?午夜前的催办', notifications)
    assert row is not None and row.group(1) == SHOWN, texts(notifications)[:2000]
    assert "2026/12/7" not in notifications

    page = client.get(f"/kb/{article.id}").get_data(as_text=True)
    head = page[page.index('<article class="card article">'):]
    header = texts(head[:head.index("</p>")])  # the title, the state, the tags and the revision's time
    assert SHOWN in header, header

    calendar = sign_in("admin").get("/admin/calendar?year=2026").get_data(as_text=True)
    years = calendar[calendar.index('id="years-title"'):]
    assert re.search(r"<td>\s*" + SHOWN + r"\s*</td>", years) and "UTC" not in texts(years[:3000])


def test_a_petition_received_on_a_date_shows_that_date_and_no_hour(app, demo, sign_in):
    client = sign_in("supervisor")
    form = client.get("/petitions/new").get_data(as_text=True)
    assert 'name="received_at"' in form
    day = (datetime.date.today() - datetime.timedelta(days=3)).isoformat()
    response = client.post("/petitions/new", data={"channel": "hotline", "category": "heating", "area": "三号楼",
                                                    "content": "暖气不热", "received_at": day})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    shown = re.search(r"<dt>受理时间</dt><dd>([^<]*)</dd>", page)
    assert shown is not None and shown.group(1).strip() == day  # not "… 01:00"

    exported = client.get("/petitions/export.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    assert rows[1][1] == day
