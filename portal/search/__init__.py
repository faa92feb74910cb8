"""Search (搜索, docs/knowledge.md): one box in the header, /search and GET /api/v1/search, over the items,
articles, trainings, residents' petitions and inspection findings a user may see, with Chinese word segmentation (jieba)."""

from ..kernel import hooks


def init_app(app):
    from . import views

    app.register_blueprint(views.bp)
    app.register_blueprint(views.api_bp)
    hooks.openapi.add("search", (views.openapi_paths, {}))
