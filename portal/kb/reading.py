"""Required reading and the learning record (学习记录).

An article is required for a user when it is published and names one of the
user's roles or the user's department in ``required_for``. Opening it records
the reading once per user and revision; a required article counts as read once
any revision of it has been read (a later correction does not make everyone
read it again).
"""

import collections
import datetime
import io

import peewee

from ..auth.models import Department, User, UserRole
from ..auth.roles import ROLE_LABELS
from ..kernel import changes, clock
from ..kernel.db import database, utcnow
from ..kernel.errors import Conflict
from .models import Article, ArticleRead, ArticleRequirement
from .services import require_writer

REMINDER_KIND = "kb_unread_reminder"

MAX_LISTED = 50


def record_read(user, article):
    """Note that ``user`` read the article's current revision (idempotent); only published articles count."""
    if article.status != "published":
        return False
    with database.atomic():
        recorded = bool(ArticleRead.insert(article=article.id, user=user.id, revision=article.revision,
                                           read_at=utcnow()).on_conflict_ignore().as_rowcount().execute())
        if recorded:
            changes.bump(changes.user_counter(changes.READING, user.id))  # the required list counts afresh
    return recorded


def read_at(user, article):
    """When ``user`` read the current revision of ``article`` (UTC), or None: a new revision is read anew
    (a reading is recorded per user and revision)."""
    row = (ArticleRead.select(ArticleRead.read_at).where(ArticleRead.article == article.id,
                                                         ArticleRead.user == user.id,
                                                         ArticleRead.revision == article.revision)
           .order_by(ArticleRead.read_at.desc()).first())
    return row.read_at if row else None


def required_unread(user, limit=MAX_LISTED):
    """Published articles required for ``user`` (by a role or their department) that they have not read
    yet, newest first; cached until an article changes (its writes bump the boards counter) or the user
    reads one (changes.py)."""
    key = ("required-unread", *changes.viewer(user), limit, changes.current(),
           changes.current(changes.user_counter(changes.READING, user.id)))
    return changes.memo(key, lambda: _required_unread(user, limit))


def _required_unread(user, limit):
    condition = ArticleRequirement.role.in_(sorted(user.roles) or [""])
    if user.department_id is not None:
        condition |= ArticleRequirement.department == user.department_id
    required = ArticleRequirement.select(ArticleRequirement.article).where(condition)
    read = ArticleRead.select(ArticleRead.article).where(ArticleRead.user == user.id)
    return list(Article.select(Article.id, Article.title, Article.category, Article.published_at)
                .where(Article.status == "published", Article.id.in_(required), Article.id.not_in(read))
                .order_by(Article.published_at.desc(), Article.id.desc()).limit(limit))


Reader = collections.namedtuple("Reader", "id username display_name department")  # department: its name or None


def audience(article):
    """The active users ``article`` is required for (by role or department)."""
    required = article.required_for or {}
    roles, codes = required.get("roles", []), required.get("departments", [])
    query = User.select(User, Department).join(Department, peewee.JOIN.LEFT_OUTER)
    if not roles and not codes:
        return query.where(peewee.SQL("1 = 0"))
    by_role = UserRole.select(UserRole.user).where(UserRole.role.in_(roles or [""]))
    by_department = Department.select(Department.id).where(Department.code.in_(codes or [""]))
    return query.where(User.active, User.id.in_(by_role) | User.department.in_(by_department))


def readers(user, article):
    """(read, unread): the audience split by whether they read any revision; each a list of
    (Reader, last read time or None), by department and name. Supervisors and admins only.

    One query of plain rows, read from the cursor: 2,000 readers as User and Department objects took
    peewee ~35 ms to build, and as its tuples still ~8 ms.
    """
    require_writer(user)
    last_read = (ArticleRead.select(ArticleRead.user, peewee.fn.MAX(ArticleRead.read_at).alias("at"))
                 .where(ArticleRead.article == article.id).group_by(ArticleRead.user).alias("last_read"))
    query = (audience(article)
             .select(User.id, User.username, User.display_name, Department.name, last_read.c.at)
             .join_from(User, last_read, peewee.JOIN.LEFT_OUTER, on=(last_read.c.user_id == User.id)))
    read_at = ArticleRead.read_at.python_value
    people = sorted(((Reader(i, username, name, department), None if at is None else read_at(at))
                     for i, username, name, department, at in database.execute(query).fetchall()),
                    key=lambda row: (row[0].department or "", row[0].username))
    read = [row for row in people if row[1] is not None]
    unread = [row for row in people if row[1] is None]
    return read, unread


def by_department(read, unread):
    """[(department name, read users, unread users)] for the report page."""
    groups = {}
    for rows, index in ((read, 0), (unread, 1)):
        for person, at in rows:
            groups.setdefault(person.department or "—", ([], []))[index].append((person, at))
    return [(name, *groups[name]) for name in sorted(groups)]


def remind_unread(user, article):
    """Notify (through the outbox) everyone of the article's audience who has not read it yet; at most
    once a day per article and person (the dedupe key holds the local date), so a second click the same
    day writes nothing. Returns how many were notified. Writers only; 409 for a draft."""
    from flask_babel import gettext as _

    from ..notify import outbox

    require_writer(user)
    if article.status != "published":
        raise Conflict(_("Only a published article has readers to remind."))
    today = clock.local_today().isoformat()
    _read, unread = readers(user, article)
    text = _("Please read the required article “%(title)s”.", title=article.title)
    rows = [{"kind": REMINDER_KIND, "recipient": person.id, "item": None, "event": None,
             "data": {"article": article.id, "title": article.title, "text": text},
             "dedupe_key": f"{REMINDER_KIND}:{article.id}:{person.id}:{today}", "status": "pending",
             "created_at": utcnow()} for person, _at in unread]
    with database.atomic():
        return outbox.write(rows, skip_existing=True)


def reminded_today(article):
    """Whether the not-yet-readers of ``article`` were reminded today (local date)."""
    from ..notify.models import Outbox

    pattern = f"{REMINDER_KIND}:{article.id}:%:{clock.local_today().isoformat()}"
    return Outbox.select().where(Outbox.kind == REMINDER_KIND, Outbox.dedupe_key ** pattern).exists()


def readers_xlsx(article, read, unread):
    """The reading report as XLSX bytes: Chinese headers, 已读/未读 as text, the local time of reading."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    zone = clock.zone()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("阅读情况")
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 14
    sheet.column_dimensions["C"].width = 18
    sheet.column_dimensions["E"].width = 20
    from openpyxl.cell import WriteOnlyCell

    header = []
    for title in ("部门", "姓名", "用户名", "阅读情况", "最近阅读时间"):
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    def text(value):  # typed text, never a formula (a name beginning with "=" would be one in openpyxl)
        cell = WriteOnlyCell(sheet, value=str(value))
        cell.data_type = "s"
        return cell

    for rows, done in ((read, "已读"), (unread, "未读")):
        for person, at in rows:
            local = at.replace(tzinfo=datetime.UTC).astimezone(zone).replace(tzinfo=None) if at else None
            when = WriteOnlyCell(sheet, value=local)
            when.number_format = "yyyy-mm-dd hh:mm"
            sheet.append([text(person.department or ""), text(person.display_name),
                          text(person.username), text(done), when])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def learning_record(user):
    """(articles read with their last read time, newest first)."""
    rows = (Article.select(Article.id, Article.title, peewee.fn.MAX(ArticleRead.read_at).alias("at"))
            .join(ArticleRead).where(ArticleRead.user == user.id, Article.status == "published")
            .group_by(Article.id, Article.title).order_by(peewee.fn.MAX(ArticleRead.read_at).desc()))
    return list(rows)


def required_labels(article):
    required = article.required_for or {}
    names = [str(ROLE_LABELS[r]) for r in required.get("roles", []) if r in ROLE_LABELS]
    codes = required.get("departments", [])
    if codes:
        names += [d.name for d in Department.select().where(Department.code.in_(codes)).order_by(Department.name)]
    return names


