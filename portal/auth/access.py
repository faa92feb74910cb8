"""What follows when someone's access changes: their sessions end, and what the features keep of what
they may no longer see ends too (hooks.access_changed: items end the follows of items they cannot see)."""

import logging

from ..kernel import hooks
from . import sessions

log = logging.getLogger(__name__)


def access_changed(user, reason):
    """After a change of ``user``'s roles, department or standing: end every session and the secrets of
    hooks.credentials_revoked (the calendar feed), prune follows."""
    ended = sessions.end_all(user, reason)
    hooks.credentials_revoked.call(user)
    kept = hooks.access_changed.call(user)
    if ended or any(kept.values()):
        log.info("access of %s changed (%s): %d session(s) ended; %s", user.username, reason, ended,
                 ", ".join(f"{key}: {count}" for key, count in kept.items()))
    return ended, kept
