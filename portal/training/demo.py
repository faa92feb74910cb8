"""The demo's trainings (docs/demo.md): one coming up with the regulation as its material and four enrolled,
one past with its attendance recorded."""

import datetime

from ..auth.models import User
from ..kb.models import Article
from ..kernel.clock import local_now
from ..kernel.db import utcnow
from .models import Enrolment, Training
from .services import create_training, enrol, index_training


def seed_trainings():
    """Create the demo trainings once (nothing when any training exists); return how many."""
    if Training.select().exists():
        return 0
    people = {u.username: u for u in User.select()}
    supervisor = people["supervisor"]
    regulation = Article.get_or_none(Article.title == "督察督办工作制度")  # the demo's, when it has its articles
    start = (local_now() + datetime.timedelta(days=7)).replace(hour=9, minute=0, second=0)
    upcoming = create_training(supervisor, {
        "title": "督办业务培训：闭环管理与佐证材料", "starts_at": start.isoformat(),
        "ends_at": start.replace(hour=11, minute=30).isoformat(), "place": "矿区办公楼 301 会议室",
        "trainer": "李秀英", "capacity": 20, "enrol_until": (start - datetime.timedelta(days=1)).isoformat(),
        "description": "讲解督办事项的签收、反馈、办结要求，以及佐证材料的准备。", "materials": [regulation.id] if regulation else []})
    for username in ("handler", "catering", "commute", "kindergarten"):
        enrol(people[username], upcoming.id)
    past_start = (local_now() - datetime.timedelta(days=30)).replace(hour=14, minute=0, second=0)
    past = Training.create(title="供暖季群众诉求处置培训", starts_at=past_start,
                           ends_at=past_start.replace(hour=16), place="文体中心报告厅", trainer="王建国",
                           capacity=50, enrol_until=past_start - datetime.timedelta(days=2),
                           description="供暖期诉求的受理、转办和回访。", created_by=supervisor)
    for username, present in (("handler", True), ("catering", True), ("commute", False)):
        Enrolment.create(training=past, user=people[username], present=present, recorded_by=supervisor,
                         recorded_at=utcnow())
    index_training(past.id)
    return 2
