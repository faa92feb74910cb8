"""Demo data (docs/demo.md): a mining-district office of a petrochemical company."""

from .auth.models import Department, User
from .auth.users import create_user

DEMO_PASSWORD = "demo"

DEPARTMENTS = [
    ("office", "综合办公室"),
    ("property", "物业服务中心"),
    ("catering", "餐饮服务中心"),
    ("commute", "通勤客运中心"),
    ("kindergarten", "幼教中心"),
    ("retirees", "离退休管理中心"),
    ("culture", "文体新闻中心"),
]

# username, display name, roles, department code
ACCOUNTS = [
    ("leader", "王建国", ["leader"], "office"),
    ("supervisor", "李秀英", ["supervisor"], "office"),
    ("handler", "张伟", ["handler"], "property"),
    ("admin", "系统管理员", ["admin"], "office"),
    ("catering", "刘洋", ["handler"], "catering"),
    ("commute", "陈静", ["handler"], "commute"),
    ("kindergarten", "杨丽", ["handler"], "kindergarten"),
    ("retirees", "赵强", ["handler"], "retirees"),
    ("culture", "黄敏", ["handler"], "culture"),
    ("office", "周杰", ["handler"], "office"),
]


def has_data():
    return User.select().exists()


def seed():
    """Load the whole demo (idempotent); return a short summary."""
    from .calendar import seed_known_years
    from .digests.services import make as make_digests
    from .inspections.demo import seed_inspections
    from .items.demo import seed_items
    from .kb.demo import seed_knowledge_base
    from .petitions.demo import seed_petitions
    from .training.demo import seed_trainings

    summary = seed_people()
    seed_known_years()
    articles = seed_knowledge_base()
    seed_trainings()
    items = seed_items()
    petitions = seed_petitions()
    seed_inspections()
    make_digests()  # last week's digest for each leader
    return f"{summary}, {articles} new articles, {petitions} new petitions, {items} new items"


def seed_people():
    """Create the demo departments and accounts (idempotent); return a short summary."""
    for order, (code, name) in enumerate(DEPARTMENTS):
        Department.get_or_create(code=code, defaults={"name": name, "sort_order": order})
    created = 0
    for username, name, roles, department in ACCOUNTS:
        if not User.select().where(User.username == username).exists():
            create_user(username, roles, password=DEMO_PASSWORD, department_code=department, name=name)
            created += 1
    return f"{len(DEPARTMENTS)} departments, {created} new accounts"
