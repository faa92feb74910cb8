"""The portal's app for `make load` only: wsgi.py's app plus a bare route to compare the boards with.

``/_bare`` answers a fixed HTML page of ``LOAD_BARE_BYTES`` bytes (the load run sets it to the size of
the supervisor's board). It is signed in like every page (``login_required``: flask-login loads the
user and checks the server-side session), and the app's before- and after-request hooks all run
(database connection, session, security headers, the outbox relay); what it skips is the board's own
work: its queries and the rendering of its template. The production app (wsgi.py) has no such route.
"""

import os

from flask import Response
from flask_login import login_required

from portal import create_app

app = create_app()
SIZE = int(os.environ.get("LOAD_BARE_BYTES", "20000"))
BODY = ("<!doctype html><title>bare</title>\n" + "<p>0123456789abcdef</p>\n" * (SIZE // 24 + 1)).encode()[:SIZE]


@app.get("/_bare")
@login_required
def bare():
    return Response(BODY, mimetype="text/html")
