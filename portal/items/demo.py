"""Demo items (docs/demo.md): the district office's five key works and their children, in every state.

Items are moved through the real services (so events and outbox rows are real),
then their dates are shifted into the past so some are overdue or closed late.
"""

import datetime
import io

from werkzeug.datastructures import FileStorage

from ..auth.models import User, UserRole
from ..kernel.clock import local_today
from ..kernel.db import utcnow
from . import actions, attachments, services
from .models import ExtensionRequest, Item, ItemEvent

# title, lead, co-departments, level, source, story, days since registration, deadline (days from today), children
KEY_WORKS = [
    ("水电气暖收费制度改革", "property", ["office"], "major", "key_task", "in_progress", 60, 25, [
        ("水费阶梯计价方案", "property", "closed", 45, -10),
        ("收费标准公示与宣传", "culture", "closed_late", 40, -12),
        ("智能燃气表更换", "property", "overdue", 30, -3),
    ]),
    ("供暖接入市网", "property", ["commute"], "major", "key_task", "extension", 50, 6, [
        ("换热站改造", "property", "pending_approval", 35, 3),
        ("离退休职工供暖补贴核定", "retirees", "feedback_late", 25, 5),
    ]),
    ("旧街区关闭", "office", ["property", "culture"], "major", "meeting", "closure_requested", 70, 2, [
        ("商户搬迁安置", "office", "closed", 60, -20),
        ("通勤线路调整", "commute", "closed", 50, -15),
    ]),
    ("天然气接入", "property", ["catering"], "important", "document", "dispatched", 3, 40, [
        ("食堂燃气灶具改造", "catering", "returned", 2, 30),
    ]),
    ("旧房出售", "office", ["retirees"], "important", "instruction", "draft", 1, 30, []),
]
SINGLES = [
    ("幼儿园冬季取暖安全检查", "kindergarten", [], "normal", "inspection", "overdue", 20, -2),
    ("职工食堂菜价公示", "catering", [], "normal", "petition", "closed", 40, -5),
    ("文体中心冬季开放时间调整", "culture", [], "normal", "meeting", "cancelled", 15, 10),
    ("离退休人员体检组织", "retirees", ["kindergarten"], "important", "instruction", "in_progress", 10, 12),
    ("班车准点率提升", "commute", [], "normal", "inspection", "dispatched_late", 6, 15),
]
# The steps of each story: (actor, action, input); "lead" is a handler of the lead department.
STORIES = {
    "draft": [],
    "dispatched": [("supervisor", "dispatch", {})],
    "dispatched_late": [("supervisor", "dispatch", {}), ("leader", "urge", {"comment": "请尽快签收并组织落实"})],
    "returned": [("supervisor", "dispatch", {}),
                 ("lead", "return", {"reason": "needs_coordination", "comment": "灶具改造需物业中心牵头协调燃气公司"})],
    "cancelled": [("supervisor", "dispatch", {}), ("supervisor", "cancel", {"comment": "并入年度重点工作统一推进"})],
    "in_progress": [("supervisor", "dispatch", {}), ("lead", "accept", {}),
                    ("lead", "report", {"comment": "已完成方案调研，正在征求职工意见", "progress": 40}),
                    ("leader", "instruct", {"comment": "要充分听取职工群众意见，稳妥推进"})],
    "overdue": [("supervisor", "dispatch", {}), ("lead", "accept", {}),
                ("lead", "report", {"comment": "设备到货延迟，正在协调厂家", "progress": 60}),
                ("supervisor", "urge", {"comment": "已超期，请抓紧办理并说明原因"})],
    "feedback_late": [("supervisor", "dispatch", {}), ("lead", "accept", {}),
                      ("lead", "report", {"comment": "已完成名单初核", "progress": 20})],
    "extension": [("supervisor", "dispatch", {}), ("lead", "accept", {}),
                  ("lead", "report", {"comment": "管网主体工程完成七成", "progress": 70}),
                  ("lead", "request_extension", {"new_deadline": 30, "comment": "受冬季施工条件影响，申请延期"})],
    "closure_requested": [("supervisor", "dispatch", {}), ("lead", "accept", {}),
                          ("lead", "report", {"comment": "封闭方案已实施", "progress": 90}), ("evidence", None, None),
                          ("lead", "request_closure", {"comment": "街区已封闭，商户全部安置完毕"})],
    "pending_approval": [("supervisor", "dispatch", {}), ("lead", "accept", {}), ("evidence", None, None),
                         ("lead", "request_closure", {"comment": "改造完成并通过验收"}),
                         ("supervisor", "review", {"decision": "approve", "comment": "佐证材料齐全"})],
    "closed": [("supervisor", "dispatch", {}), ("lead", "accept", {}),
               ("lead", "report", {"comment": "按计划推进", "progress": 50}), ("evidence", None, None),
               ("lead", "request_closure", {"comment": "已全部完成"}),
               ("supervisor", "review", {"decision": "approve"}), ("leader", "approve", {"decision": "approve"}),
               ("leader", "rate", {"score": 5, "comment": "按期高质量完成"})],
}
STORIES["closed_late"] = STORIES["closed"][:-1] + [("supervisor", "rate", {"score": 3, "comment": "完成但有延误"})]


def _lead_handler(item):
    return (User.select().join(UserRole).where(User.department == item.lead_department_id, UserRole.role == "handler")
            .order_by(User.id).first())


def _play(item, story, people):
    for actor, action, data in STORIES[story]:
        item = Item.get_by_id(item.id)
        if actor == "evidence":
            attachments.add_attachment(_lead_handler(item), item, FileStorage(
                io.BytesIO(f"{item.title} 佐证材料\n".encode()), filename=f"{item.number}-佐证材料.txt",
                content_type="text/plain"))
            continue
        user = _lead_handler(item) if actor == "lead" else people[actor]
        data = dict(data, version=item.version)
        if action == "request_extension":
            data["new_deadline"] = (item.deadline + datetime.timedelta(days=data["new_deadline"])).isoformat()
        actions.perform(user, item, action, data)
    return Item.get_by_id(item.id)


def _age(item, story, days_ago, deadline_in):
    """Move the item's history ``days_ago`` into the past and its deadline to ``deadline_in`` days from today."""
    today, now = local_today(), utcnow()
    start = now - datetime.timedelta(days=days_ago)
    events = list(ItemEvent.select().where(ItemEvent.item == item.id).order_by(ItemEvent.id))
    step = datetime.timedelta(days=days_ago) / (len(events) + 1)
    for n, event in enumerate(events):
        ItemEvent.update(created_at=start + step * n).where(ItemEvent.id == event.id).execute()
    times = {e.action: start + step * n for n, e in enumerate(events)}
    deadline = today + datetime.timedelta(days=deadline_in)
    changes = {"created_at": start, "deadline": deadline}
    if item.dispatched_at:
        changes["dispatched_at"] = times["dispatch"]
        changes["accept_due"] = times["dispatch"].date() + datetime.timedelta(days=2)
    if item.accepted_at:
        changes["accepted_at"] = times["accept"]
    if story in ("closed", "closed_late"):
        changes["closed_at"] = times["approve"]
        changes["closed_on_time"] = story == "closed"
        if story == "closed_late":
            changes["deadline"] = times["approve"].date() - datetime.timedelta(days=4)
        elif deadline < times["approve"].date():
            changes["deadline"] = times["approve"].date() + datetime.timedelta(days=3)
    if story == "feedback_late":
        changes.update(feedback_cycle_days=7, next_feedback_due=today - datetime.timedelta(days=3),
                       late_feedback_count=1)
    if story == "dispatched_late":
        changes["accept_due"] = today - datetime.timedelta(days=2)
    Item.update(**changes).where(Item.id == item.id).execute()
    ExtensionRequest.update(old_deadline=changes["deadline"],
                            new_deadline=changes["deadline"] + datetime.timedelta(days=30)).where(
        ExtensionRequest.item == item.id, ExtensionRequest.status == "pending").execute()


def _register(people, title, lead, co, level, source, parent=None):
    data = {"title": title, "content": f"{title}：明确责任分工和时间节点，按期报送进展。", "source_type": source,
            "source_ref": "矿区办公室2026年工作会议" if source in ("meeting", "key_task") else "", "level": level,
            "lead_department": lead, "co_departments": co, "leader": "leader",
            "deadline": (local_today() + datetime.timedelta(days=90)).isoformat(), "feedback_cycle_days": 14}
    if parent is not None:
        data["deadline"] = parent.deadline.isoformat()
        return services.add_child(people["supervisor"], parent, data)
    return services.create_item(people["supervisor"], data)


def seed_items():
    """Create the demo items once (nothing when items exist); return how many were made."""
    if Item.select().exists():
        return 0
    people = {name: User.get(User.username == name) for name in ("leader", "supervisor")}
    made = []
    for title, lead, co, level, source, story, days_ago, deadline_in, children in KEY_WORKS:
        parent = _register(people, title, lead, co, level, source)
        kids = [(_register(people, *child[:2], [], level, source, parent=parent), *child[2:]) for child in children]
        for child, child_story, child_ago, child_deadline in kids:
            made.append((_play(child, child_story, people), child_story, child_ago, child_deadline))
        made.append((_play(parent, story, people), story, days_ago, deadline_in))
        services.follow(people["leader"], Item.get_by_id(parent.id))
    for title, lead, co, level, source, story, days_ago, deadline_in in SINGLES:
        made.append((_play(_register(people, title, lead, co, level, source), story, people), story, days_ago,
                     deadline_in))
    for item, story, days_ago, deadline_in in made:
        _age(item, story, days_ago, deadline_in)
    return len(made)
