"""Administration pages: users and role overrides, departments, links to other admin tools."""


def init_app(app):
    from . import views

    app.register_blueprint(views.bp)
