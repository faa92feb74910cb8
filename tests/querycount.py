"""Count the SQL statements peewee sends, to assert that a page's query count does not grow with its rows."""

import contextlib
import logging


class _Counter(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.statements = []

    def emit(self, record):
        if record.name != "peewee":  # e.g. peewee.pool's "Returning ... to pool"
            return
        if isinstance(record.msg, tuple):
            self.statements.append(record.msg[0])
        else:
            self.statements.append(record.getMessage())


@contextlib.contextmanager
def count_queries():
    """Yield a list that fills with every SQL statement executed inside the block."""
    logger = logging.getLogger("peewee")
    handler = _Counter()
    old_level, old_propagate = logger.level, logger.propagate
    logger.setLevel(logging.DEBUG)
    logger.propagate = False  # count, don't print
    logger.addHandler(handler)
    try:
        yield handler.statements
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate


def fresh_request_queries(client, path):
    """The statements of GET ``path`` with nothing cached: what a query count must not let grow with the
    rows shown."""
    from portal.kernel import changes

    changes.forget()
    with count_queries() as statements:
        client.get(path)
    return statements
