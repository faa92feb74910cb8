"""Schema versions. ``upgrade()`` brings any older database to the newest.

Each migration is a function run once, in order, inside a transaction, and
recorded in ``schema_version``. Never edit a released migration: append one.
"""

import datetime
import logging

import peewee
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator

from .kernel.db import BaseModel, database, is_postgres, utcnow

log = logging.getLogger(__name__)


class SchemaVersion(BaseModel):
    version = peewee.IntegerField(primary_key=True)
    applied_at = peewee.DateTimeField(default=utcnow)


def all_models():
    """Every table of the current release, in dependency order."""
    from .auth.models import MODELS as auth_models
    from .calendar.models import MODELS as calendar_models
    from .items.models import MODELS as item_models
    from .notify.models import MODELS as notify_models

    return [*auth_models, *calendar_models, *item_models, *notify_models]


def _initial(migrator):
    database.create_tables(all_models())


def _search_index(migrator):
    """PostgreSQL: a trigram index so that text search (``LIKE '%…%'``) need not read every item.

    pg_trgm ships with PostgreSQL and is a trusted extension (a database owner may
    create it). Where it cannot be created, search still works, only slower.
    """
    if not is_postgres():
        return
    try:
        with database.atomic():
            database.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except peewee.DatabaseError as exc:
        log.warning("pg_trgm is not available (%s); text search will scan the item table", exc)
        return
    # The expression must stay identical to items.queries.SEARCH_TEXT for the index to be used.
    database.execute_sql(
        "CREATE INDEX IF NOT EXISTS item_search_trgm ON item USING gin "
        "((number || ' ' || title || ' ' || content) gin_trgm_ops)")


def _sessions_and_token_expiry(migrator):
    """Server-side sessions, API token expiry, and an index for the sign-in limiter's database counts."""
    from playhouse.migrate import migrate

    from .auth.models import SESSION_MODELS, ApiToken, LoginEvent

    database.create_tables(SESSION_MODELS)
    columns = {c.name for c in database.get_columns(ApiToken._meta.table_name)}
    if "expires_at" not in columns:  # a database created after this field was declared has it already
        migrate(migrator.add_column(ApiToken._meta.table_name, "expires_at", ApiToken.expires_at))
    indexes = {i.name for i in database.get_indexes(LoginEvent._meta.table_name)}
    if "login_event_address_at" not in indexes:
        migrate(migrator.add_index(LoginEvent._meta.table_name, ("address", "at"), False))


def _knowledge_base(migrator):
    """Knowledge base (articles, revisions, attachments), the search index and trainings."""
    from .kb.models import MODELS as kb_models
    from .search.models import MODELS as search_models
    from .training.models import MODELS as training_models

    database.create_tables([*kb_models, *search_models, *training_models])


def _front_line(migrator):
    """The front line (docs/front-line.md): instructions awaiting acknowledgement (批示落实), residents' petitions
    (群众诉求) and how far each user has read the instruction feed (灵通信息).

    Instructions given before this version get their row too (due the day after they were given),
    so that every instruction is followed through.
    """
    from .feed.models import MODELS as feed_models
    from .items.followthrough import MODELS as followthrough_models, Instruction
    from .items.models import ItemEvent
    from .petitions.models import MODELS as petition_models

    database.create_tables([*followthrough_models, *petition_models, *feed_models])
    acknowledged = {(e.data or {}).get("instruction") for e in ItemEvent.select().where(
        ItemEvent.action == "acknowledge")}
    for event in ItemEvent.select().where(ItemEvent.action == "instruct").order_by(ItemEvent.id):
        if event.id not in acknowledged:
            Instruction.create(item=event.item_id, event=event.id,
                               due=event.created_at.date() + datetime.timedelta(days=1))


def _delegations(migrator):
    from .items.models import Delegation

    database.create_tables([Delegation])


def _change_counter(migrator):
    from .kernel.changes import create_table

    create_table()
def _inspections_and_digests(migrator):
    """Field inspections (实地督查) and the leaders' weekly digests (定期听取汇报), docs/front-line.md."""
    from .digests.models import MODELS as digest_models
    from .inspections.models import MODELS as inspection_models

    database.create_tables([*inspection_models, *digest_models])


# Statistics (issue 12) read narrow ranges of items through indexes that cover each query.
STATS_INDEXES = {
    "item_stats_dispatched": "dispatched_at, lead_department_id",
    "item_stats_closed": "state, closed_at, lead_department_id, closed_on_time, score, dispatched_at",
    "item_stats_accepted": "accepted_at, accepted_late, lead_department_id",
    # In department order, so the overdue count per department needs no sort.
    "item_stats_overdue": "lead_department_id, state, deadline, dispatched_at, closed_at",
}


def _reports(migrator):
    """Calendar feeds, report jobs and imported rows; the statistics' indexes (statistics and reports, issue 12)."""
    from .reports.models import MODELS as report_models
    from .stats.sql import late_report_index_sql

    database.create_tables(report_models)
    for name, columns in STATS_INDEXES.items():
        database.execute_sql(f"CREATE INDEX IF NOT EXISTS {name} ON item ({columns})")
    # Late progress reports by period without reading every report's data.
    database.execute_sql(late_report_index_sql())


def _feed_index(migrator):
    """The feed reads events of a few actions after a user's cursor: (action, id) finds them without a scan."""
    database.execute_sql("CREATE INDEX IF NOT EXISTS item_event_action_id ON item_event (action, id)")


def _registered_index(migrator):
    """A leader's board counts the items registered this month: (created_at) finds them without a scan."""
    database.execute_sql("CREATE INDEX IF NOT EXISTS item_created_at ON item (created_at)")


def _open_items_index(migrator):
    """Boards and lists read the open items (a few thousand of 100,000) by deadline: an index of them alone,
    in that order, answers "the first eight red (or yellow, or of a department) items" by reading a few
    entries, where the whole-table indexes read every match and sort them (1–7 ms each on SQLite).
    Queries name the open states as written here (items.models.OPEN_STATES_SQL, a test compares them), or
    SQLite does not use it (nor PostgreSQL in a generic plan of a prepared statement)."""
    database.execute_sql("CREATE INDEX IF NOT EXISTS item_open_deadline ON item (deadline, id) WHERE state IN "
                         "('dispatched', 'in_progress', 'returned', 'closure_requested', 'pending_approval')")


def _add_columns(table, columns):
    """Add ``columns`` ({name: SQL type}, each NOT NULL with its default) to ``table`` where it lacks them (a
    database created after they were declared has them already). Written out, as both databases take it:
    peewee's SQLite migrator would rebuild the table, which its foreign keys refuse."""
    present = {c.name for c in database.get_columns(table)}
    for name, sql_type in columns.items():
        if name not in present:
            database.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{name}" {sql_type}')


def _petition_search_copy(migrator):
    """A handler's search of petitions reads a copy of the area and text without the phone numbers written in
    them (docs/front-line.md): the two columns, filled for the petitions there are."""
    from .petitions.models import Petition, search_copy

    _add_columns("petition", {"search_area": "VARCHAR(100) NOT NULL DEFAULT ''",
                              "search_text": "TEXT NOT NULL DEFAULT ''"})
    rows = Petition.select(Petition.id, Petition.area, Petition.resident_name, Petition.content).tuples()
    for petition_id, area, name, content in list(rows):
        Petition.update(**search_copy(area, name, content)).where(Petition.id == petition_id).execute()


def _item_attachment_text(migrator):
    """The text of the items' attachments for the search (docs/knowledge.md): three columns; the attachments
    there are wait as ``pending`` until ``flask --app wsgi kb-reindex`` reads them."""
    _add_columns("attachment", {"extract_status": "VARCHAR(16) NOT NULL DEFAULT 'pending'",
                                "extract_error": "VARCHAR(255) NOT NULL DEFAULT ''", "text": "TEXT NOT NULL DEFAULT ''"})


def _circular_numbers(migrator):
    """The circular's document number (发文字号) kept per year (issue 20)."""
    from .reports.models import CircularSequence

    database.create_tables([CircularSequence])


def _petition_received_on_day(migrator):
    """A petition registered with only a date says so (received_on_day): pages show the date, no hour."""
    _add_columns("petition", {"received_on_day": "BOOLEAN NOT NULL DEFAULT FALSE"})


def _quotas(migrator):
    """Per-user quotas on searches, exports, jobs and uploads counted without Redis (kernel/quotas.py)."""
    from .kernel.quotas import QuotaUse

    database.create_tables([QuotaUse])



def _mask_items_made_from_petitions(migrator):
    """Items made from residents' petitions before every way of writing a phone number was masked keep the
    numbers in their title and text, which handlers read: masked now as a new conversion masks them
    (petitions.phones.mask_text), and indexed again for the search."""
    from .items.models import Item
    from .items.search import index_item
    from .petitions.models import Petition
    from .petitions.phones import mask_text

    made = Item.select(Item.id, Item.title, Item.content).where(
        Item.id.in_(Petition.select(Petition.item).where(Petition.item.is_null(False))))
    for item_id, title, content in list(made.tuples()):
        masked = {"title": mask_text(title)[:200], "content": mask_text(content)}
        if masked != {"title": title, "content": content}:
            Item.update(**masked).where(Item.id == item_id).execute()
            index_item(item_id)


MIGRATIONS = [
    (1, _initial),
    (2, _search_index),
    (3, _sessions_and_token_expiry),
    (4, _knowledge_base),
    (5, _reports),
    (6, _front_line),
    (8, _delegations),
    (10, _inspections_and_digests),
    (11, _change_counter),
    (12, _feed_index),
    (13, _registered_index),
    (14, _open_items_index),
    (20, _circular_numbers),
    (24, _petition_received_on_day),
    (32, _petition_search_copy),
    (33, _item_attachment_text),
    (34, _quotas),
    (35, _mask_items_made_from_petitions),
]


def current_version():
    if not database.table_exists(SchemaVersion._meta.table_name):
        return 0
    latest = SchemaVersion.select(peewee.fn.MAX(SchemaVersion.version)).scalar()
    return latest or 0


def upgrade():
    """Apply every pending migration; return the versions applied (empty when up to date)."""
    database.create_tables([SchemaVersion])
    migrator = PostgresqlMigrator(database.obj) if isinstance(database.obj, peewee.PostgresqlDatabase) \
        else SqliteMigrator(database.obj)
    applied = []
    # Every migration not recorded yet runs, in order, even below the newest recorded: migrations of
    # features developed side by side may be numbered with gaps and land in either order.
    done = {row.version for row in SchemaVersion.select(SchemaVersion.version)}
    for version, migration in MIGRATIONS:
        if version in done:
            continue
        with database.atomic():
            migration(migrator)
            SchemaVersion.create(version=version)
        applied.append(version)
    return applied
