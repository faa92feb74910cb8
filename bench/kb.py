"""Benchmark data for the knowledge base and search (issue 11): articles, attachments' text, the search
index of the benchmark's items, and an article required for many readers.

Text is drawn from a pool of sentences whose words are segmented once, so
filling the index takes seconds, not the hours jieba would need for every
document. 督办 is a frequent word (in most documents), 地热 a rare one.
"""

import datetime
import random
import time

from bench.bulk import BATCH, flush, settle
from portal.kernel.db import database

SUBJECTS = ["物业服务中心", "餐饮服务中心", "通勤客运中心", "幼教中心", "离退休管理中心", "文体新闻中心", "综合办公室",
            "承办部门", "督办责任人", "各分公司"]
ACTIONS = ["按期完成", "认真落实", "统筹推进", "及时反馈", "全面排查", "加快实施", "持续跟踪", "严格执行"]
OBJECTS = ["供暖接入市网工作", "天然气接入改造", "水电气暖收费制度改革", "旧街区关闭方案", "旧房出售政策宣讲",
           "班车线路调整", "食堂食品安全检查", "群众诉求回访", "安全生产隐患整改", "年度重点任务"]
ENDINGS = ["，确保督办事项按时办结。", "，并报送进展情况。", "，逾期将予以通报。", "，做好解释工作。",
           "，形成长效机制。", "，接受群众监督。"]
REQUIRED_TITLE = "必读：督办工作制度"
RARE = "矿区一号院试点地热供暖，效果良好。"


def _pool(rng):
    sentences = [s + a + o + e for s in SUBJECTS for a in ACTIONS for o in OBJECTS for e in ENDINGS]
    rng.shuffle(sentences)
    return sentences[:400]


def generate(n_articles, n_attachments, n_readers, seed=11):
    """Fill articles, attachments, readers and the search index (items included); return seconds taken."""
    from portal.auth.models import Department, User, UserRole
    from portal.items.models import Item, ItemEvent
    from portal.kb.models import Article, ArticleAttachment, ArticleRead, ArticleRequirement, ArticleRevision
    from portal.search.models import SearchToken
    from portal.search.segment import index_tokens

    rng = random.Random(seed)
    start = time.perf_counter()
    pool = _pool(rng)
    words = [index_tokens(s) for s in pool]
    rare_words = index_tokens(RARE)
    supervisor = User.get(User.username == "supervisor").id
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)

    with database.atomic():
        # The benchmark's items were inserted in bulk: index them the same way.
        comments = {c for (c,) in ItemEvent.select(ItemEvent.comment).distinct().tuples() if c}
        contents = {c for (c,) in Item.select(Item.content).distinct().tuples() if c}
        body_cache = {text: index_tokens(text) for text in comments | contents}
        event_words = set().union(*(body_cache[c] for c in comments)) if comments else set()
        rows = []
        for item_id, number, title, content in Item.select(Item.id, Item.number, Item.title, Item.content).tuples():
            rows += [("item", item_id, "t", w) for w in index_tokens(title)]
            rows += [("item", item_id, "b", w) for w in index_tokens(number) | body_cache.get(content, set())
                     | event_words]
            if len(rows) >= BATCH * 10:
                _tokens(SearchToken, rows)
        _tokens(SearchToken, rows)

        articles, revisions, attachments = [], [], []
        for article_id in range(1, n_articles + 1):
            picked = rng.sample(range(len(pool)), 8)
            title = pool[picked[0]][:30]
            body = "".join(pool[i] for i in picked[1:])
            category = rng.choice(["regulation", "training", "experience", "policy"])
            articles.append({"id": article_id, "title": title, "category": category, "tags": "[]", "body": body,
                             "status": "published", "required_for": "{}", "author": supervisor, "revision": 1,
                             "html": f"<p>{body}</p>", "rendered_revision": 1, "created_at": now,
                             "updated_at": now, "published_at": now})
            revisions.append({"article": article_id, "number": 1, "title": title, "category": category,
                              "tags": "[]", "body": body, "status": "published", "author": supervisor,
                              "created_at": now})
            title_words = words[picked[0]]
            body_words = set().union(*(words[i] for i in picked[1:]))
            for _ in range(n_attachments // max(n_articles, 1)):
                chosen = rng.sample(range(len(pool)), 40)
                text = "".join(pool[i] for i in chosen)
                body_words |= set().union(*(words[i] for i in chosen))
                if rng.random() < 0.002:
                    text += RARE
                    body_words |= rare_words
                attachments.append({"article": article_id, "original_name": "附件.docx", "kind": "docx",
                                    "sha256": "0" * 64, "size": len(text) * 3, "uploaded_by": supervisor,
                                    "uploaded_at": now, "extract_status": "done", "extract_error": "",
                                    "text": text, "extracted_at": now})
            rows += [("article", article_id, "t", w) for w in title_words]
            rows += [("article", article_id, "b", w) for w in body_words]
            if len(rows) >= BATCH * 10:
                _tokens(SearchToken, rows)
            if len(attachments) >= BATCH:
                flush(Article, articles), flush(ArticleRevision, revisions), flush(ArticleAttachment, attachments)
        flush(Article, articles), flush(ArticleRevision, revisions), flush(ArticleAttachment, attachments)
        _tokens(SearchToken, rows)

        # One article required for handlers, read by half of n_readers handlers: trainees of a department
        # that leads no item (in a department that does, each would get every reminder of its items).
        department = Department.get_or_create(code="trainees", defaults={"name": "培训学员"})[0].id
        first = User.select(User.id).order_by(User.id.desc()).scalar() + 1
        users = [{"id": first + i, "username": f"reader{i:05d}", "display_name": f"读者{i}", "department": department,
                  "source": "local", "password_hash": "", "active": True, "created_at": now}
                 for i in range(n_readers)]
        flush(User, users)
        flush(UserRole, [{"user": first + i, "role": "handler", "origin": "local"} for i in range(n_readers)])
        required = Article.create(id=n_articles + 1, title=REQUIRED_TITLE, category="regulation",
                                  body="制度全文", status="published", author=supervisor,
                                  required_for={"roles": ["handler"], "departments": []},
                                  revision=1, html="<p>制度全文</p>", rendered_revision=1, published_at=now)
        ArticleRequirement.create(article=required.id, role="handler")
        flush(ArticleRead, [{"article": required.id, "user": first + i, "revision": 1, "read_at": now}
                             for i in range(0, n_readers, 2)])
    settle(["article", "article_revision", "article_attachment", "user"])
    return time.perf_counter() - start, required.id


def required_article():
    """The id of the article generate() made required reading."""
    from portal.kb.models import Article

    return Article.select(Article.id).where(Article.title == REQUIRED_TITLE).scalar()


def _tokens(model, rows):
    flush(model, [{"kind": k, "ref_id": r, "field": f, "token": t} for k, r, f, t in rows])
    rows.clear()


PAGES = [
    ("supervisor", "/search?q=督办", "search page, frequent word (supervisor)"),
    ("supervisor", "/search?q=地热", "search page, rare word (supervisor)"),
    ("handler", "/search?q=督办", "search page, frequent word (handler)"),
    ("handler", "/api/v1/search?q=地热", "API search, rare word (handler)"),
    ("supervisor", "/api/v1/search?q=供暖&kind=article", "API search, articles only"),
    ("supervisor", "/items?q=事项", "item list, two-character word"),
    ("supervisor", "/kb/{required}/readers", "reading report, {readers} readers"),
]
