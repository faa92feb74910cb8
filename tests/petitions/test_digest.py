"""The leader's weekly digest lists the week's new petitions, the hot issues and the leader's instructions
with their follow-through (the sections the petitions and feed features register)."""

import datetime

from portal.auth.models import User
from portal.digests import services as digests
from portal.digests.models import Digest
from portal.items import actions, services as items
from portal.items.followthrough import Instruction
from portal.items.models import Item, ItemEvent
from portal.kernel.clock import local_today
from portal.kernel.db import database
from portal.petitions import services


def test_the_digest_tells_the_leader_of_petitions_hot_issues_and_follow_through(app, demo):
    today = local_today()
    week = digests.last_week(today)
    wednesday = digests.parse_week(week) + datetime.timedelta(days=2)
    with app.test_request_context(), database.connection_context():
        people = {u.username: u for u in User.select()}
        for area in ("东风小区", "东风小区", "东风小区", "西山小区"):
            services.register(people["supervisor"], {"channel": "hotline", "category": "heating", "area": area,
                                                     "content": "暖气不热，电话13812345678",
                                                     "received_at": wednesday.isoformat()})
        item = items.create_item(people["supervisor"], {
            "title": "供暖接入市网", "source_type": "meeting", "lead_department": "property", "leader": "leader",
            "deadline": (today + datetime.timedelta(days=20)).isoformat()})
        for actor, action, data in (("supervisor", "dispatch", {}), ("handler", "accept", {}),
                                    ("leader", "instruct", {"comment": "本周拿出方案"})):
            item = Item.get_by_id(item.id)
            actions.perform(people[actor], item, action, {"version": item.version, **data})
        ItemEvent.update(created_at=datetime.datetime.combine(wednesday, datetime.time(3))).where(
            ItemEvent.action == "instruct").execute()
        Instruction.update(due=wednesday + datetime.timedelta(days=1)).execute()  # given last week, due then
        assert digests.make(week, today=today) == 1
        sections = Digest.get().sections
    assert sections["petitions"]["total"] == 4
    assert sum("东风小区" in row["title"] for row in sections["petitions"]["rows"]) == 3
    assert "13812345678" not in str(sections)
    assert sections["hot_issues"]["total"] == 4 and sections["hot_issues"]["rows"][0]["title"].startswith("供暖")
    assert sections["instructions"]["total"] == 1
    row = sections["instructions"]["rows"][0]
    assert row["number"] == item.number and "未落实" in row["title"] and row["overdue"] is True
