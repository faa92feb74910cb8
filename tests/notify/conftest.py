"""Real outside servers for the notification tests: an SMTP server (aiosmtpd) and a robot webhook receiver."""

import asyncio
import datetime
import email
import email.policy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from portal.auth.models import Department, User
from portal.items.models import Item, ItemEvent
from portal.kernel.config import DEFAULTS
from portal.kernel.db import database
from portal.notify.outbox import record
from tests.conftest import csrf_token
from tests.servers import free_port


class MailBox:
    """An aiosmtpd handler keeping every accepted message; ``refuse`` makes it answer 451 to DATA.

    ``hold`` (a threading.Event) stalls the next RCPT — before any message is
    transferred — until it is set; ``arrived`` tells the test it happened.
    """

    def __init__(self):
        self.messages = []
        self.refuse = False
        self.hold = None
        self.arrived = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        hold, self.hold = self.hold, None
        if hold is not None:
            self.arrived.set()
            while not hold.is_set():
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "451 4.3.0 Mail server temporarily refusing"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append({"to": envelope.rcpt_tos, "message": message})
        return "250 OK"


@pytest.fixture
def smtp_server():
    mailbox = MailBox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailbox.port = controller.port
    yield mailbox
    if mailbox.hold is not None:
        mailbox.hold.set()
    controller.stop()


class RobotServer:
    """A local HTTP server standing in for 企业微信/钉钉/飞书: it keeps every JSON body and answers ``answer``."""

    def __init__(self):
        self.received = []
        self.answer = {"errcode": 0, "errmsg": "ok"}
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                robot.received.append({"path": self.path, "json": json.loads(body)})
                answer = json.dumps(robot.answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path):
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"


@pytest.fixture
def robot_server():
    server = RobotServer()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


# The robot receiver of these tests listens on loopback, which robots may reach only when listed.
ROBOT_HOSTS = [*DEFAULTS["notify"]["robot_hosts"], "127.0.0.1"]


def notify_config(smtp=None, **sections):
    """Config sections for a portal that mails through ``smtp``, retries at once and may send robot
    messages to the local RobotServer."""
    config = {"app": {"base_url": "https://duban.example.com/"},
              "notify": {"retry_backoff_seconds": 0, "max_attempts": 3, "robot_hosts": ROBOT_HOSTS}}
    if smtp is not None:
        config["mail"] = {"smtp_host": "127.0.0.1", "smtp_port": smtp.port, "sender": "duban@example.com",
                          "timeout_seconds": 5}
    for key, value in sections.items():
        config.setdefault(key, {}).update(value)
    return config


def seed_people():
    """The demo departments and accounts; every demo user gets an e-mail address."""
    from portal import demo

    demo.seed_people()
    User.update(email=User.username.concat("@example.com")).execute()
    return {u.username: u for u in User.select()}


def make_item(people, number="DB-2026-0001", deadline=None, state="dispatched", lead="property",
              co=("catering", "commute"), **fields):
    """An item as the items feature would have written it: lead department ``lead``, co-departments
    ``co`` (so the handlers these tests notify may see it, as delivery checks), dispatched unless a draft."""
    from portal.items.models import ItemCoDepartment

    if state != "draft":
        fields.setdefault("dispatched_at", datetime.datetime(2026, 1, 5, 9, 0))
    item = Item.create(number=number, title=fields.pop("title", "供暖接入市网"), source_type="key_task",
                       lead_department=Department.get(Department.code == lead),
                       leader=people["leader"], supervisor=people["supervisor"],
                       deadline=deadline or datetime.date(2026, 12, 31), state=state,
                       created_by=people["supervisor"], **fields)
    for code in co:
        if code != lead:
            ItemCoDepartment.create(item=item, department=Department.get(Department.code == code))
    return item


def dispatch(item, actor, recipients, comment="请按期办理"):
    """An event with its outbox rows, written in one transaction as perform() does."""
    with database.atomic():
        event = ItemEvent.create(item=item, actor=actor, action="dispatch", from_state="draft",
                                 to_state="dispatched", comment=comment)
        record(event, recipients)
    return event


class RobotsPage:
    """/admin/notifications/robots as the admin has it open, in a portal with the demo people."""

    PATH = "/admin/notifications/robots"

    def __init__(self, make_app, sign_in):
        self.app = make_app(**notify_config())
        with self.app.app_context():
            seed_people()
            self.property_id = Department.get(Department.code == "property").id
        self.admin = sign_in("admin", app=self.app)
        self.token = csrf_token(self.admin, self.PATH)

    def save(self, **fields):
        """Send the page's form for the property department (``department=`` names another)."""
        return self.admin.post(self.PATH, data={"csrf_token": self.token, "department": self.property_id, **fields})


@pytest.fixture
def robots_page(make_app, sign_in):
    return RobotsPage(make_app, sign_in)
