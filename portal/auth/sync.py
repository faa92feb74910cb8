"""``ldap-sync``: bring every directory user's record up to date.

``ldap_sync()`` is a plain function (needs an app context and a database
connection) so the command and the worker's schedule run the same code.
"""

import logging
from collections import Counter

from ..kernel.db import database
from .models import User
from .signin import directory
from .users import LocalAccountConflict, deactivate, refresh_from_directory

log = logging.getLogger(__name__)


def ldap_sync():
    """Refresh or create everyone in ``user_base``; deactivate directory users gone from it.

    Returns the list of changes, one line each. Raises DirectoryUnavailable
    when no server answers. A user name matching several entries is left
    alone (sign-in refuses it too), and so is a local account named like a
    directory person. An empty answer deactivates nobody: it
    more likely means a wrong ``user_base`` than an empty company.
    """
    people = directory().everyone()
    counts = Counter(p.username for p in people)
    lines = [f"skipped {name}: {n} directory entries share this user name"
             for name, n in sorted(counts.items()) if n > 1]
    present = set()
    for person in people:
        present.add(person.username)
        if counts[person.username] > 1:
            continue
        try:
            user, changes = refresh_from_directory(person)
        except LocalAccountConflict:
            log.warning("ldap-sync skipped %s: a local account has this user name", person.username)
            lines.append(f"skipped {person.username}: a local account has this user name")
            continue
        if changes:
            lines.append(f"{user.username}: {', '.join(changes)}")
    if not people:
        lines.append("the directory returned nobody under user_base; nobody was deactivated")
        return lines
    with database.atomic():
        for user in User.select().where(User.source == "ldap", User.active).order_by(User.username):
            if user.username not in present:
                deactivate(user)
                lines.append(f"{user.username}: deactivated (gone from the directory)")
    log.info("ldap-sync: %d changes", len(lines))
    return lines

