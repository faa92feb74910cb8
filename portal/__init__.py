"""Duban Portal (督办门户): the application factory."""

import logging
import sys
from pathlib import Path

from flask import Flask

from .kernel import config as config_module

ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None):
    """Build the portal from a config path, a dict (tests) or nothing (file, env, demo defaults).

    A wrong configuration stops start-up with one line naming the key.
    """
    try:
        settings = config_module.load(config)
    except config_module.ConfigError as exc:
        print(f"portal: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.update(
        PORTAL=settings,
        SECRET_KEY=settings["app"]["secret_key"],
        MAX_CONTENT_LENGTH=settings["uploads"]["max_bytes"] + 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_DEFAULT_LOCALE=settings["app"]["locale"],
        BABEL_DEFAULT_TIMEZONE=settings["app"]["timezone"],
        BABEL_TRANSLATION_DIRECTORIES=str(ROOT / "portal" / "translations"),
    )
    if not app.debug:
        logging.basicConfig(level=logging.INFO)

    from .kernel import api, assets, compression, db, errors, i18n, jobs, security, templating

    compression.init_app(app)  # first: Flask runs after_request hooks last-registered first
    assets.init_app(app)
    db.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    jobs.init_app(app)
    templating.init_app(app)
    api.init_app(app)

    # The features, each registering its own blueprints, commands and template names.
    from . import (admin, auth, calendar, cli, digests, feed, home, inspections, items, kb, notify, petitions, reports,
                   search, stats, training)

    # petitions and feed after digests: they add their sections to it.
    for feature in (auth, home, items, admin, calendar, notify, kb, search, training, inspections, digests,
                    petitions, feed, stats, reports, cli):
        feature.init_app(app)
    return app
