"""The demo's knowledge base: articles with real attachments (one required for handlers, some read),
a draft, an upcoming training with enrolments and a past one attended; loaded once."""

from portal import demo
from portal.auth.models import User
from portal.kb import reading
from portal.kb.models import Article, ArticleAttachment, ArticleRead
from portal.search.services import search
from portal.training.models import Enrolment, Training


def test_the_demo_shows_the_knowledge_base_and_trainings(db, app, tmp_path):
    app.config["PORTAL"]["uploads"]["folder"] = str(tmp_path / "uploads")
    assert ", 4 new articles," in demo.seed()
    assert Article.select().where(Article.status == "published").count() == 3
    assert Article.select().where(Article.status == "draft").count() == 1
    assert {a.extract_status for a in ArticleAttachment.select()} == {"done"}
    assert ArticleRead.select().count() == 2
    handler = User.get(User.username == "handler")
    assert [a.title for a in reading.required_unread(handler)] == ["督察督办工作制度"]
    assert Training.select().count() == 2 and Enrolment.select().count() == 7
    with app.test_request_context():
        total, results = search(handler, "通报")  # only in the regulation's DOCX
        assert total == 1 and results[0]["title"] == "督察督办工作制度"
    assert ", 0 new articles," in demo.seed() and Article.select().count() == 4
