"""The home board: what each role has to do today."""


def init_app(app):
    from . import views

    app.register_blueprint(views.bp)
