"""What the features add to shared places: one registry per place, all declared here.

A lower layer reads a registry for what the features above it added, and never names a feature; a
feature adds its entries in its ``init_app``::

    hooks.reminder_scans.add("training_reminder", reminders.remind_enrolled)

Entries are keyed, so adding is idempotent (the tests build many apps in one process, and each adds
the same entries again); they keep the order in which they were first added. (The jobs, each declared
beside its body with ``jobs.job``, are the kernel's other registry: kernel/jobs.py.)
"""


class Registry:
    """A named, ordered mapping of key -> entry that features fill and a shared place reads."""

    def __init__(self, name, doc):
        self.name, self.__doc__ = name, doc
        self._entries = {}

    def add(self, key, entry):
        """Add (or replace) ``entry`` under ``key``; return it."""
        self._entries[key] = entry
        return entry

    def get(self, key, default=None):
        return self._entries.get(key, default)

    def __getitem__(self, key):
        return self._entries[key]

    def __contains__(self, key):
        return key in self._entries

    def __iter__(self):
        return iter(self._entries)

    def __len__(self):
        return len(self._entries)

    def items(self):
        return self._entries.items()

    def values(self):
        return self._entries.values()

    def call(self, *args, **kwargs):
        """Call every entry (each a callable) with the arguments, in order; return {key: result}."""
        return {key: entry(*args, **kwargs) for key, entry in self._entries.items()}

    def __repr__(self):
        return f"<Registry {self.name}: {', '.join(map(str, self._entries))}>"


# --- what happens -----------------------------------------------------------------------------

item_actions = Registry("item_actions", """Callables ``(item, action, event, decision)`` run inside the
transaction of every item action, after its event is written (notify writes the notices' outbox rows).""")

access_changed = Registry("access_changed", """Callables ``(user)`` run after a change of a user's roles,
department or standing (items end the follows of items the user can no longer see); each returns a count.""")

credentials_revoked = Registry("credentials_revoked", """Callables ``(user)`` run when everything that
signs ``user`` in must stop working: sign-out everywhere, deactivation, a change of roles or department
(reports revoke the calendar feed's secret URL); each returns a count.""")

# --- what the shared places show ----------------------------------------------------------------

search_sources = Registry("search_sources", """kind -> ``search.services.Source(label, visible_ids(user),
load(ids))``: what the search box finds of that kind (items, articles, trainings, in this order of
results): ``visible_ids`` a subquery of the ids the user may see (None: all), ``load`` {id: {"title",
"texts", "id", "url"}} for one page of results.""")

search_indexers = Registry("search_indexers", """kind -> ``(model, index(id))``: the rows of that kind and
how one is put into the search index, so that ``search.index.reindex_all`` can rebuild them.""")

reminder_scans = Registry("reminder_scans", """kind -> ``scan(today)``, run by the daily reminder scan after
the items' own reminders; each writes its outbox rows and returns how many were new.""")

digest_sections = Registry("digest_sections", """key -> ``(label, build, scope)``: a section of the leaders'
weekly digest beyond the items' own (feed: instructions; petitions: new ones, hot issues). A section is
{"total", "rows": [{"number", "title", …}]}, or None to leave it out. ``scope`` says how ``build`` is
called: "leader" — ``build(leader, start, end, today)`` for each leader; "leaders" — ``build(leaders,
start, end, today)`` once, returning {leader id: section}; "week" — ``build(start, end, today)`` once, the
same section for every leader (the last two keep the digests' queries as many for eight leaders as one).""")

board_panels = Registry("board_panels", """key -> ``(title, load(user, today), rows_template, placement[,
urgent])``: a panel of the home board beyond the items' own (petitions: the residents' hot issues on the
leader's board, the petitions to answer, assign and close). ``load`` gives {"count", "rows", "more"} (and
"capped" when the count stopped short), drawn by ``rows_template``; ``placement`` {role: key of the panel it
follows}; ``urgent`` True when its count asks for action (a red badge; default False).""")

openapi = Registry("openapi", """feature -> ``(paths, schemas)``: the feature's part of /api/v1/openapi.json
(see kernel/openapi.py): ``paths`` a dict of Flask rule -> path item, or ``paths(rules)`` returning one.""")

notification_kinds = Registry("notification_kinds", """kind -> ``notify.messages.Kind(label, link, page,
may_receive)``: what notify shows for an outbox kind a feature writes, where the message's and the in-app
row's links point when it is not about one item and, where the feature says, whether its recipient may
still receive it.""")

files_kept = Registry("files_kept", """(table, column) -> the peewee field holding sha256 names of files in
the upload store; the sweep removes a stored file no such field points to.""")
