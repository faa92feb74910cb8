"""Configuration: built-in defaults, one TOML file, environment overrides.

Every key lives in DEFAULTS (and is documented in config.example.toml). A file
value or an environment variable ``PORTAL_<SECTION>_<KEY>`` replaces the
default; its type must match the default's. A wrong value raises ConfigError
naming the key; an unknown key only warns.
"""

import json
import logging
import os
import secrets
import tomllib
import zoneinfo
from copy import deepcopy
from pathlib import Path

log = logging.getLogger(__name__)

MiB = 1024 * 1024

DEFAULTS = {
    "app": {
        "demo": False,
        "secret_key": "",
        "locale": "zh_CN",
        "timezone": "Asia/Shanghai",
        "base_url": "",
        "session_idle_minutes": 480,
    },
    "database": {"url": "sqlite:///instance/portal.db", "pool_size": 10},
    "redis": {"url": ""},
    "auth": {
        "backends": ["local"],
        "login_attempts_per_minute": 5,
        "limiter": {
            "window_minutes": 15,
            "delay_seconds": 60,
            "max_delay_seconds": 900,
            "address_failures": 50,
            "name_failures": 20,
            "familiar_days": 30,
        },
        "ldap": {
            "uri": [],
            "start_tls": False,
            "ca_file": "",
            "timeout_seconds": 5,
            "bind_dn": "",
            "bind_password": "",
            "user_base": "",
            "user_filter": "(uid={username})",
            "username_attribute": "uid",
            "display_name_attribute": "cn",
            "email_attribute": "mail",
            "department_attribute": "departmentNumber",
            "role_groups": {"leader": "", "supervisor": "", "handler": "", "admin": ""},
        },
        "header": {"user_header": "REMOTE_USER", "trusted_proxies": []},
    },
    "mail": {
        "smtp_host": "",
        "smtp_port": 25,
        "sender": "",
        "starttls": False,
        "username": "",
        "password": "",
        "timeout_seconds": 10,
    },
    "notify": {
        "relay_interval_seconds": 5,
        "max_attempts": 5,
        "retry_backoff_seconds": 30,
        "lease_seconds": 300,
        "robot_timeout_seconds": 5,
        # The hosts robot webhooks may be sent to (names, or addresses/networks such as "10.1.2.0/24");
        # an address inside the intranet (loopback, private, link-local) only when listed.
        "robot_hosts": ["qyapi.weixin.qq.com", "oapi.dingtalk.com", "open.feishu.cn", "open.larksuite.com"],
        # An HTTP proxy for robot webhooks ("http://proxy.example:3128"); empty: straight out.
        "robot_proxy": "",
    },
    "reminders": {
        "warn_working_days": 3,
        "escalate_after_days": 3,
        "min_urge_gap_hours": 24,
        "light_policy": "deadline",
        "share_threshold": 0.3,
        "scan_time": "08:00",
    },
    "workflow": {
        "accept_within_working_days": 2,
        "acknowledge_within_working_days": 1,
        "closure_requires_attachment": True,
        "default_days": {
            "instruction": 15,
            "meeting": 20,
            "document": 30,
            "key_task": 30,
            "petition": 30,
            "inspection": 30,
            "other": 30,
        },
    },
    "petitions": {
        "reply_within_working_days": 5,
        "repeat_days": 30,
    },
    "stats": {
        # Ranked (and so in line for the 骏马奖/蜗牛奖) only with this many items in a period, one closed or overdue.
        "min_items": 3,
        # The composite score's weights (relative; a part that does not apply is left out).
        "weights": {
            "on_time_rate": 40.0,
            "open_overdue": 25.0,
            "avg_score": 15.0,
            "late_signatures": 5.0,
            "late_feedback": 5.0,
            "returns": 5.0,
            "extensions": 5.0,
        },
    },
    "reports": {
        # The circular (督查通报): the issuing office printed in the red head and at the foot, the document
        # number ({year} and {seq}: the circular's sequence in that year), and the requirements paragraph
        # the supervisor edits before generating.
        "issuer": "矿区办公室",
        "number_format": "矿办督〔{year}〕{seq}号",
        "requirements": "请各部门对照本通报，认真梳理本部门督办事项办理情况：对已逾期事项，要查明原因、"
                        "明确责任人和办结时限，限期整改到位；对即将到期事项，要加快推进，确保按期办结；"
                        "对办结质量不高、多次退回的事项，要举一反三，完善工作机制。办公室将持续跟踪问效，"
                        "并将办理情况纳入年度考核。",
    },
    "inspections": {
        "photo_max_bytes": 10 * MiB,
        "photos_per_finding": 10,
        # A photo with more pixels is refused before it is decoded (a JPEG is decoded scaled down).
        "photo_max_pixels": 25_000_000,
    },
    # Per-user uses of expensive work per window (kernel/quotas.py); 0 turns a quota off.
    "quotas": {
        "window_seconds": 60,
        "searches": 60,
        "exports": 10,
        "jobs": 5,
        "uploads": 20,
        # Report jobs (circulars, imports) one user may have queued or running at once, and all users.
        "running_jobs_per_user": 1,
        "queued_jobs": 50,
    },
    "digest": {
        "weekday": "monday",
        "time": "08:30",
    },
    "uploads": {
        "folder": "",
        "max_bytes": 20 * MiB,
        "allowed_extensions": [
            "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "et", "dps",
            "ofd", "txt", "csv", "png", "jpg", "jpeg", "gif", "webp", "zip",
        ],
    },
    "kb": {
        "extract_timeout_seconds": 60,
        "extract_memory_mb": 512,
        "extract_max_chars": 1_000_000,
    },
}

# Keys whose value is checked beyond its type: key -> (predicate, what is expected).
CHOICES = {
    "app.locale": ({"zh_CN", "en"}, "zh_CN or en"),
    "reminders.light_policy": ({"deadline", "share"}, "deadline or share"),
    "digest.weekday": ({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"},
                       "a day of the week in English, e.g. monday"),
}
AUTH_BACKENDS = {"ldap", "header", "local"}


class ConfigError(Exception):
    """A configuration value is missing or wrong; the message names the key."""


def load(source=None, environ=None):
    """Return the validated configuration as a nested dict.

    ``source`` is a path, a dict (tests) or None (``PORTAL_CONFIG``, then
    ``config.toml``, then the embedded demo defaults). Environment overrides
    apply unless a dict is given.
    """
    environ = os.environ if environ is None else environ
    config = deepcopy(DEFAULTS)
    if isinstance(source, dict):
        _merge(config, source, "")
    else:
        path = _find_file(source, environ)
        if path is None:
            config["app"]["demo"] = True
        else:
            try:
                with open(path, "rb") as fh:
                    _merge(config, tomllib.load(fh), "")
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{path}: not valid TOML: {exc}") from None
            except OSError as exc:
                raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from None
        _apply_environment(config, environ)
    _validate(config)
    return config


def _find_file(source, environ):
    if source is not None:
        if not Path(source).is_file():
            raise ConfigError(f"configuration file {source} does not exist")
        return Path(source)
    named = environ.get("PORTAL_CONFIG")
    if named:
        if not Path(named).is_file():
            raise ConfigError(f"PORTAL_CONFIG names {named}, which does not exist")
        return Path(named)
    default = Path("config.toml")
    return default if default.is_file() else None


def _merge(into, values, prefix):
    for key, value in values.items():
        dotted = f"{prefix}{key}"
        if key not in into:
            log.warning("config: unknown key %s is ignored", dotted)
            continue
        if isinstance(into[key], dict):
            if not isinstance(value, dict):
                raise ConfigError(f"{dotted} must be a table")
            _merge(into[key], value, dotted + ".")
        else:
            into[key] = _coerce(dotted, into[key], value)


def _coerce(key, default, value):
    """Check ``value`` against the type of ``default``; lists of strings may be one string."""
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
    elif isinstance(default, int):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif isinstance(default, float):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif isinstance(default, list):
        if isinstance(value, str):
            return [value] if value else []
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
    elif isinstance(value, str):
        return value
    expected = type(default).__name__ if not isinstance(default, list) else "list of strings"
    raise ConfigError(f"{key} must be a {expected}, not {value!r}")


def _flatten(tree, prefix=""):
    for key, value in tree.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def env_name(key):
    """The environment variable that overrides dotted ``key``."""
    return "PORTAL_" + key.upper().replace(".", "_")


def _apply_environment(config, environ):
    for key, default in list(_flatten(DEFAULTS)):
        raw = environ.get(env_name(key))
        if raw is None:
            continue
        *sections, leaf = key.split(".")
        node = config
        for section in sections:
            node = node[section]
        node[leaf] = _coerce(key, default, _parse_env(key, default, raw))


def _parse_env(key, default, raw):
    raw = raw.strip()
    if isinstance(default, bool):
        lowered = raw.lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        raise ConfigError(f"{env_name(key)} must be true or false, not {raw!r}")
    if isinstance(default, (int, float)):
        try:
            return type(default)(raw)
        except ValueError:
            raise ConfigError(f"{env_name(key)} must be a number, not {raw!r}") from None
    if isinstance(default, list):
        if raw.startswith("["):
            try:
                return json.loads(raw)
            except ValueError:
                raise ConfigError(f"{env_name(key)} is not a JSON list") from None
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def _validate(config):
    for key, (allowed, expected) in CHOICES.items():
        section, leaf = key.split(".")
        if config[section][leaf] not in allowed:
            raise ConfigError(f"{key} must be {expected}, not {config[section][leaf]!r}")
    app = config["app"]
    if not app["secret_key"]:
        if not app["demo"]:
            raise ConfigError(
                f"app.secret_key is required (set it in the file or in {env_name('app.secret_key')})"
            )
        # Demo only: sessions end when the process restarts.
        app["secret_key"] = secrets.token_hex(32)
    try:
        zoneinfo.ZoneInfo(app["timezone"])
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"app.timezone {app['timezone']!r} is not a known time zone") from None
    url = config["database"]["url"]
    if not url.startswith(("sqlite:///", "postgresql://", "postgres://")):
        raise ConfigError("database.url must start with sqlite:/// or postgresql://")
    if config["database"]["pool_size"] < 0:
        raise ConfigError("database.pool_size must not be negative")
    backends = config["auth"]["backends"]
    unknown = set(backends) - AUTH_BACKENDS
    if not backends or unknown:
        raise ConfigError(f"auth.backends must list some of ldap, header, local; got {backends}")
    ldap_conf = config["auth"]["ldap"]
    if ("ldap" in backends or "header" in backends):
        for key in ("uri", "user_base"):
            if not ldap_conf[key]:
                raise ConfigError(f"auth.ldap.{key} is required when auth.backends lists ldap or header")
    if config["mail"]["smtp_host"] and not config["mail"]["sender"]:
        raise ConfigError("mail.sender is required when mail.smtp_host is set")
    for key in ("warn_working_days", "escalate_after_days", "min_urge_gap_hours"):
        if config["reminders"][key] < 0:
            raise ConfigError(f"reminders.{key} must not be negative")
    if config["notify"]["max_attempts"] < 1 or config["notify"]["lease_seconds"] < 1:
        raise ConfigError("notify.max_attempts and notify.lease_seconds must be at least 1")
    if not 0 < config["reminders"]["share_threshold"] < 1:
        raise ConfigError("reminders.share_threshold must be between 0 and 1")
    hour, _, minute = config["reminders"]["scan_time"].partition(":")
    if not (hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
        raise ConfigError("reminders.scan_time must be HH:MM")
    number_format = config["reports"]["number_format"]
    if "{seq}" not in number_format or "{year}" not in number_format:
        raise ConfigError("reports.number_format must hold {year} and {seq}")
    try:
        number_format.format(year=2026, seq=1)
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigError(f"reports.number_format is not valid: {exc}") from None
    if not config["reports"]["issuer"].strip():
        raise ConfigError("reports.issuer must not be empty")
    if config["stats"]["min_items"] < 0:
        raise ConfigError("stats.min_items must not be negative")
    weights = config["stats"]["weights"]
    if any(value < 0 for value in weights.values()) or not any(value > 0 for value in weights.values()):
        raise ConfigError("stats.weights must not be negative and at least one must be positive")
    hour, _, minute = config["digest"]["time"].partition(":")
    if not (hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
        raise ConfigError("digest.time must be HH:MM")
    if config["inspections"]["photo_max_bytes"] <= 0 or config["inspections"]["photos_per_finding"] <= 0:
        raise ConfigError("inspections.photo_max_bytes and inspections.photos_per_finding must be positive")
    if config["uploads"]["max_bytes"] <= 0:
        raise ConfigError("uploads.max_bytes must be positive")
