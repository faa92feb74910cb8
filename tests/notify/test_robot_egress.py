"""Robot webhooks reach only the providers' hosts (notify.robot_hosts), never an address inside the
intranet unless listed, never follow a redirect, and keep a short error (issue 21, finding 6)."""

import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from portal.auth.models import Department
from portal.notify import delivery
from portal.notify.models import Delivery, DepartmentRobot, Outbox
from tests.conftest import csrf_token
from tests.notify.conftest import dispatch, make_item, notify_config, seed_people
from tests.servers import free_port

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
PATH = "/admin/notifications/robots"
# The defaults: the four providers' hosts and nothing else.
DEFAULT_NOTIFY = {"retry_backoff_seconds": 0, "max_attempts": 3}


def portal(make_app, **notify):
    config = notify_config()
    config["notify"] = {**DEFAULT_NOTIFY, **notify}
    app = make_app(**config)
    with app.app_context():
        people = seed_people()
    return app, people


@SQLITE_ONLY
@pytest.mark.parametrize("url", [
    "http://127.0.0.1:6379/",
    "http://[::1]:5099/",
    "http://0x7f000001:5099/",
    "http://2130706433:5099/",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.1.2.3/hook",
    "http://localhost:5099/",
    "https://robot.example.net/send",
])
def test_saving_an_address_outside_the_providers_is_422_beside_the_field(make_app, sign_in, url):
    app, _ = portal(make_app)
    with app.app_context():
        property_id = Department.get(Department.code == "property").id
    admin = sign_in("admin", app=app)
    response = admin.post(PATH, data={"csrf_token": csrf_token(admin, PATH), "department": property_id,
                                      "kind": "wecom", "url": url})
    assert response.status_code == 422
    error = re.search(r'class="field-error" id="url-error">([^<]*)<', response.get_data(as_text=True))
    assert error is not None and "企业微信" in error.group(1)
    with app.app_context():
        assert DepartmentRobot.select().count() == 0


@SQLITE_ONLY
def test_a_listed_name_that_resolves_inside_the_intranet_is_still_refused_on_save(make_app, sign_in):
    app, _ = portal(make_app, robot_hosts=["localhost"])
    with app.app_context():
        property_id = Department.get(Department.code == "property").id
    admin = sign_in("admin", app=app)
    response = admin.post(PATH, data={"csrf_token": csrf_token(admin, PATH), "department": property_id,
                                      "kind": "wecom", "url": "http://localhost:5099/"})
    assert response.status_code == 422


def deliver_to(app, people, url, number="DB-2026-0001"):
    """Dispatch to the property handler with the property robot at ``url``; the robot Delivery."""
    with app.app_context():
        DepartmentRobot.create(department=Department.get(Department.code == "property"), kind="wecom", url=url)
        dispatch(make_item(people, number=number), people["supervisor"], [people["handler"]])
        delivery.relay()
        return Delivery.get(Delivery.channel == "robot"), Outbox.get()


@SQLITE_ONLY
def test_delivery_refuses_an_intranet_address_saved_before_or_behind_a_name(make_app, robot_server):
    """Checked again at delivery: a robot saved before the rule, or a listed name now resolving to loopback."""
    app, people = portal(make_app, robot_hosts=["localhost"])
    port = robot_server.server.server_address[1]
    robot, row = deliver_to(app, people, f"http://localhost:{port}/wecom")
    assert robot.status == "failed" and "refused by the portal" in robot.error
    assert robot_server.received == []
    with app.app_context():
        DepartmentRobot.update(url=robot_server.url("/wecom")).execute()  # 127.0.0.1, not listed
        Outbox.update(lease_until=None, status="pending").execute()
        delivery.relay()
        assert "refused by the portal" in Delivery.get(Delivery.channel == "robot").error
    assert robot_server.received == []


class Answering:
    """A local HTTP server answering every POST with ``status``, ``headers`` and ``body``."""

    def __init__(self, status, body=b"", headers=()):
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@SQLITE_ONLY
def test_a_redirect_is_not_followed(make_app, robot_server):
    app, people = portal(make_app, robot_hosts=["127.0.0.1"])
    redirecting = Answering(302, headers=[("Location", robot_server.url("/internal"))])
    try:
        robot, _ = deliver_to(app, people, redirecting.url)
    finally:
        redirecting.close()
    assert robot.status == "failed" and robot.error == "robot webhook answered HTTP 302"
    assert robot_server.received == []


@SQLITE_ONLY
def test_the_stored_error_echoes_nothing_and_tells_no_open_port_from_a_closed_one(make_app):
    app, people = portal(make_app, robot_hosts=["127.0.0.1"])
    talkative = Answering(200, body=b"-ERR redis 7.2 SECRET-BANNER\r\n")
    # A port that accepts and talks something other than HTTP, and one that nobody listens on.
    listener = socket.create_server(("127.0.0.1", 0))
    open_port = listener.getsockname()[1]

    def babble():
        conn, _ = listener.accept()
        conn.sendall(b"SSH-2.0-OpenSSH_9.6 SECRET-BANNER\r\n")
        conn.close()

    threading.Thread(target=babble, daemon=True).start()
    errors = []
    try:
        for n, url in enumerate((talkative.url, f"http://127.0.0.1:{open_port}/", f"http://127.0.0.1:{free_port()}/")):
            with app.app_context():
                DepartmentRobot.delete().execute()
                Delivery.delete().execute()
                Outbox.delete().execute()
            robot, row = deliver_to(app, people, url, number=f"DB-2026-000{n + 1}")
            errors.append(robot.error)
            assert "SECRET" not in robot.error and "SECRET" not in row.last_error
    finally:
        talkative.close()
        listener.close()
    assert errors[0] == "robot webhook answered something that is not JSON"
    assert errors[1] == errors[2] == "robot webhook unreachable"
