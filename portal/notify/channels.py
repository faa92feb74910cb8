"""Sending on the outside channels: SMTP e-mail and group-robot webhooks, each with a bounded timeout."""

import base64
import hashlib
import hmac
import http.client
import json
import smtplib
import socket
import ssl
import time
import urllib.parse
from email.message import EmailMessage
from email.utils import formataddr

from flask import current_app

from . import egress


class ChannelError(Exception):
    """A channel refused or failed to take a message; the text says why (kept for the admin)."""


def email_enabled():
    """True when an SMTP host is configured."""
    return bool(current_app.config["PORTAL"]["mail"]["smtp_host"])


def send_email(to_address, to_name, message, message_key):
    """Hand one message to the SMTP server, or raise ChannelError; Message-ID is stable per ``message_key``."""
    mail = current_app.config["PORTAL"]["mail"]
    email = EmailMessage()
    email["Subject"] = message["subject"]
    email["From"] = mail["sender"]
    email["To"] = formataddr((to_name, to_address))
    domain = mail["sender"].rpartition("@")[2] or "duban.local"
    # The same notification always carries the same Message-ID, so a mail system
    # that sees a rare resend (worker killed mid-conversation) can recognise it.
    email["Message-ID"] = f"<duban.{message_key}@{domain}>"
    email.set_content(message["text"])
    email.add_alternative(message["html"], subtype="html")
    try:
        with smtplib.SMTP(mail["smtp_host"], mail["smtp_port"], timeout=mail["timeout_seconds"]) as smtp:
            if mail["starttls"]:
                smtp.starttls()
            if mail["username"]:
                smtp.login(mail["username"], mail["password"])
            smtp.send_message(email)
    except (smtplib.SMTPException, OSError) as exc:
        raise ChannelError(f"SMTP {mail['smtp_host']}:{mail['smtp_port']}: {exc}") from None


def sign_robot(kind, url, payload, secret, now=None):
    """The URL and body with the 加签 signature 钉钉 or 飞书 expects for ``secret`` (unchanged without one)."""
    if not secret or kind not in ("dingtalk", "feishu"):
        return url, payload
    now = time.time() if now is None else now
    if kind == "dingtalk":
        timestamp = str(int(now * 1000))
        digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
        sign = urllib.parse.quote_plus(base64.b64encode(digest))
        return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}", payload
    timestamp = str(int(now))
    digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return url, {**payload, "timestamp": timestamp, "sign": base64.b64encode(digest).decode()}


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to the address egress.resolve() checked, not to a second lookup of the name."""

    def __init__(self, host, port, addresses, timeout):
        super().__init__(host, port, timeout=timeout)
        self.addresses = addresses

    def connect(self):
        error = None
        for family, sockaddr in self.addresses:
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            try:
                sock.connect(sockaddr)
            except OSError as exc:
                sock.close()
                error = exc
                continue
            self.sock = sock
            return
        raise error or OSError("no address")


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    """The same over TLS; the certificate is checked against the host name."""

    default_port = 443

    def connect(self):
        super().connect()
        self.sock = ssl.create_default_context().wrap_socket(self.sock, server_hostname=self.host)


def _connection(parts, timeout):
    """A connection for a webhook at ``parts`` (a urlsplit result): through ``notify.robot_proxy`` when
    one is set, else straight to the checked addresses; and the request target to send."""
    host, https = parts.hostname, parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    proxy = current_app.config["PORTAL"]["notify"]["robot_proxy"]
    if proxy:
        egress.check_host(host)
        via = urllib.parse.urlsplit(proxy)
        if https:
            connection = http.client.HTTPSConnection(via.hostname, via.port or 3128, timeout=timeout)
            connection.set_tunnel(host, port)
            return connection, target
        connection = http.client.HTTPConnection(via.hostname, via.port or 3128, timeout=timeout)
        return connection, f"http://{parts.netloc.rpartition('@')[2]}{target}"
    addresses = egress.resolve(host, port)
    kind = _PinnedHTTPSConnection if https else _PinnedHTTPConnection
    return kind(host, port, addresses, timeout), target


def send_robot(url, payload):
    """POST ``payload`` as JSON to a robot webhook; raise ChannelError unless it answers success.

    Only to the hosts of ``notify.robot_hosts`` (egress.py), never following a redirect; the error kept
    for the admin is short and tells nothing of what an address answered beyond the HTTP status.
    """
    timeout = current_app.config["PORTAL"]["notify"]["robot_timeout_seconds"]
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    try:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise egress.Refused("not an http(s) address")
        connection, target = _connection(parts, timeout)
    except egress.Refused as exc:
        raise ChannelError(f"robot webhook refused by the portal: {exc}") from None
    except ValueError:
        raise ChannelError("robot webhook refused by the portal: not an http(s) address") from None
    try:
        connection.request("POST", target, body=body,
                           headers={"Content-Type": "application/json; charset=utf-8"})
        response = connection.getresponse()
        status = response.status
        answer_body = response.read(65536)
    except (OSError, http.client.HTTPException):
        raise ChannelError("robot webhook unreachable") from None  # not which: an open port from a closed one
    finally:
        connection.close()
    if status != 200:
        raise ChannelError(f"robot webhook answered HTTP {status}")
    try:
        answer = json.loads(answer_body or b"{}")
    except (ValueError, RecursionError):
        raise ChannelError("robot webhook answered something that is not JSON") from None
    # 企业微信 and 钉钉 answer {"errcode": 0}, 飞书 {"code": 0}; anything else is a refusal.
    code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0))) if isinstance(answer, dict) else 0
    if code not in (0, None):
        message = answer.get("errmsg") or answer.get("msg") or answer.get("StatusMessage") or ""
        code = code if isinstance(code, int) and not isinstance(code, bool) else "?"
        message = message[:80] if isinstance(message, str) else ""
        raise ChannelError(f"robot webhook refused the message: {code} {message}".strip())
