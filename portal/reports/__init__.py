"""Reports: XLSX exports, the circular (督查通报) as DOCX, the deadline calendar feed, key-task import."""


def init_app(app):
    from . import views

    app.register_blueprint(views.bp)
