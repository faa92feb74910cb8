"""Sending on the outside channels: SMTP e-mail and group-robot webhooks, each with a bounded timeout."""

import base64
import hashlib
import hmac
import json
import smtplib
import time
import urllib.error
import urllib.parse
import urllib.request
from email.message import EmailMessage
from email.utils import formataddr

from flask import current_app


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


def send_robot(url, payload):
    """POST ``payload`` as JSON to a robot webhook; raise ChannelError unless it answers success."""
    timeout = current_app.config["PORTAL"]["notify"]["robot_timeout_seconds"]
    request = urllib.request.Request(url, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                                     headers={"Content-Type": "application/json; charset=utf-8"},
                                     method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise ChannelError(f"webhook answered HTTP {exc.code}") from None
    except OSError as exc:
        raise ChannelError(f"webhook unreachable: {exc}") from None
    try:
        answer = json.loads(body or b"{}")
    except ValueError:
        raise ChannelError("webhook answered something that is not JSON") from None
    # 企业微信 and 钉钉 answer {"errcode": 0}, 飞书 {"code": 0}; anything else is a refusal.
    code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0))) if isinstance(answer, dict) else 0
    if code not in (0, None):
        message = answer.get("errmsg") or answer.get("msg") or answer.get("StatusMessage") or ""
        raise ChannelError(f"webhook refused the message: {code} {message}".strip())
