"""The users of `make load`: a Locust file (run by bench/load.py as ``locust -f bench/load_users.py``).

Handlers open their board, lists and item pages and report progress on their items; supervisors open
their board and list and filter items; the leader opens the board and approves closures. Meanwhile
each user's page polls its navigation badges as the browser does (notifications every 15 s, the feed
every 30 s), whatever the user is doing. Everyone signs in through the login form and sends the
session cookie and the CSRF token (X-CSRFToken) as the pages' own scripts do.

On exit it writes, to the JSON file named by LOAD_COUNTS, Locust's figures per route (requests,
failures, req/s, p50/p95/p99) with the answers by status, and the successful actions by action name:
what the run checks against the events written.
"""

import collections
import itertools
import json
import os
import random
import re

import gevent
from locust import FastHttpUser, between, events, task

from portal.demo import ACCOUNTS

CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
# The demo's handlers, each of another department (bench/__main__.py's generate() creates them).
HANDLERS = itertools.cycle([username for username, _, roles, _ in ACCOUNTS if roles == ["handler"]])
ACTION = "POST /api/v1/items/{n}/actions/"

answers = collections.defaultdict(collections.Counter)  # route -> status -> count
actions = collections.Counter()  # action -> successful answers


@events.request.add_listener
def _count(name, response=None, exception=None, **_):
    status = getattr(response, "status_code", None) or 0  # 0: no answer (connection refused, reset, timeout)
    answers[name][status] += 1  # every name here starts with its method
    if name.startswith(ACTION) and 200 <= status < 300:
        actions[name[len(ACTION):]] += 1


@events.quitting.add_listener
def _write(environment, **_):
    """Locust's own figures per route (after every user stopped), the answers and the actions counted."""
    target = os.environ.get("LOAD_COUNTS")
    if not target:
        return
    routes = [{"name": entry.name, "requests": entry.num_requests, "failures": entry.num_failures,
               "rps": entry.total_rps, **{f"p{p}": entry.get_response_time_percentile(p / 100) for p in (50, 95, 99)},
               "statuses": dict(answers[entry.name])}
              for entry in environment.stats.entries.values() if entry.num_requests]
    with open(target, "w", encoding="utf-8") as out:
        json.dump({"routes": routes, "actions": dict(actions)}, out)


class Person(FastHttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)
    username = None
    # The badges every full page polls, and how often (templates/notify/_badge.html, feed/_badge.html).
    badges = (("/notifications/badge", 15), ("/feed/count", 30))

    def on_start(self):
        self.username = self.username or next(HANDLERS)
        page = self.client.get("/login", name="GET /login").text
        with self.client.post("/login", name="POST /login", allow_redirects=False, catch_response=True,
                              data={"username": self.username, "password": "demo",
                                    "csrf_token": CSRF.search(page).group(1)}) as answer:
            if answer.status_code not in (302, 303):
                answer.failure(f"{self.username} could not sign in ({answer.status_code})")
                raise RuntimeError(f"{self.username} could not sign in")
            answer.success()
        self.csrf = CSRF.search(self.board()).group(1)
        self.numbers = {}
        self.poller = gevent.spawn(self.poll_badges)

    def on_stop(self):
        if getattr(self, "poller", None):
            self.poller.kill()

    def poll_badges(self):
        """The page's own polling, beside whatever the user does (FastHttpUser allows concurrent requests)."""
        gevent.sleep(random.uniform(0, 15))  # pages opened at different moments
        for tick in itertools.count():
            for path, every in self.badges:
                if tick % (every // 15) == 0:
                    self.client.get(path, name=f"GET {path}",
                                    headers={"HX-Request": "true", "X-Portal-Background": "1"})
            gevent.sleep(15)

    def board(self):
        return self.client.get("/", name=f"GET / ({type(self).__name__.lower()} board)").text

    def page(self, path, name):
        self.client.get(path, name=f"GET {name}")

    def open_one(self, state):
        """The page of one item in ``state`` this user sees, chosen at random (none when there is none)."""
        numbers = self.items_in(state)
        if numbers:
            self.page(f"/items/{random.choice(numbers)}", "/items/{n}")

    def items_in(self, state, **filters):
        """Up to 50 numbers of items in ``state`` this user sees, kept until used up (approving uses them)."""
        key = (state, tuple(sorted(filters.items())))
        if not self.numbers.get(key):
            query = "&".join(f"{k}={v}" for k, v in {"state": state, "per_page": 50, **filters}.items())
            body = self.client.get(f"/api/v1/items?{query}", name=f"GET /api/v1/items?state={state}").json()
            self.numbers[key] = [item["number"] for item in body["items"]]
        return self.numbers[key]

    def act(self, number, action, **fields):
        """Run ``action`` on item ``number`` at its current version when it is offered; 409 is a lost race."""
        item = self.client.get(f"/api/v1/items/{number}", name="GET /api/v1/items/{n}").json()
        if action not in item.get("available_actions", []):
            return
        with self.client.post(f"/api/v1/items/{number}/actions/{action}", name=ACTION + action,
                              json={"version": item["version"], **fields},
                              headers={"X-CSRFToken": self.csrf}, catch_response=True) as answer:
            if answer.status_code == 409:
                answer.success()  # two users acting on one item at once: one wins, nothing is written


class Handler(Person):
    weight = 5

    @task(3)
    def open_board(self):
        self.board()

    @task(1)
    def list_items(self):
        self.page("/items", "/items (handler)")

    @task(2)
    def open_item(self):
        self.open_one("in_progress")

    @task(2)
    def report(self):
        numbers = self.items_in("in_progress")
        if numbers:
            self.act(random.choice(numbers), "report", progress=random.randrange(0, 101, 5), comment="按计划推进")


class Supervisor(Person):
    weight = 3
    username = "supervisor"

    @task(3)
    def open_board(self):
        self.board()

    @task(2)
    def list_items(self):
        self.page(f"/items?page={random.randint(1, 5)}", "/items?page=n")

    @task(1)
    def filter_items(self):
        self.page("/items?state=in_progress&department=property&sort=deadline", "/items?state&department&sort")

    @task(1)
    def red_items(self):
        self.page("/items?light=red", "/items?light=red")

    @task(1)
    def api_list(self):
        self.page("/api/v1/items?light=yellow&per_page=50", "/api/v1/items?light=yellow")

    @task(1)
    def open_item(self):
        self.open_one("in_progress")


class Leader(Person):
    weight = 1
    username = "leader"

    @task(2)
    def open_board(self):
        self.board()

    @task(2)
    def approve(self):
        numbers = self.items_in("pending_approval", leader="leader")
        if numbers:
            number = numbers.pop(random.randrange(len(numbers)))  # decided once, by whoever comes first
            self.act(number, "approve", decision="approve", comment="同意办结")
