"""Search (搜索, DESIGN.md §4): one box in the header, /search and GET /api/v1/search, over the items,
articles and trainings a user may see, with Chinese word segmentation (jieba)."""


def init_app(app):
    from . import views

    app.register_blueprint(views.bp)
    app.register_blueprint(views.api_bp)
    app.extensions.setdefault("openapi_paths", {}).update(views.OPENAPI_PATHS)
