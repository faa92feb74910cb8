"""What follows when someone's access changes: their sessions end, and follows they may no longer see end."""

import logging

from . import sessions

log = logging.getLogger(__name__)


def end_unseen_follows(user):
    """Delete ``user``'s follows (关注) of items they can no longer see; return how many ended.

    One DELETE with the named visibility query as its subquery (no loop over items).
    """
    from ..items.models import Follow
    from ..items.transaction import write_transaction
    from ..items.visibility import visible_ids
    from .models import User

    user = User.get_by_id(user.id)  # judge by the roles and department held now, not a cached copy
    seen = visible_ids(user)
    with write_transaction():  # (which bumps the boards' counter: a follows panel counts afresh)
        return Follow.delete().where(Follow.user == user.id, Follow.item.not_in(seen)).execute()


def access_changed(user, reason):
    """After a change of ``user``'s roles, department or standing: end every session, prune follows."""
    ended = sessions.end_all(user, reason)
    follows = end_unseen_follows(user)
    if ended or follows:
        log.info("access of %s changed (%s): %d session(s) and %d follow(s) ended",
                 user.username, reason, ended, follows)
    return ended, follows
