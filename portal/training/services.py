"""Trainings: creating (supervisors), enrolling and cancelling (everyone, before ``enrol_until`` and
within ``capacity``), attendance (supervisors), the learning record and the iCalendar file.

Enrolment never exceeds capacity, also when many enrol at once: on SQLite the
write transaction holds the database's write lock from its start; on
PostgreSQL the training's row is locked (SELECT … FOR UPDATE) before counting.
"""

import datetime

import peewee
from flask_babel import gettext as _, lazy_gettext as _l

from ..auth.models import User
from ..kb.models import Article
from ..kb.queries import visible_articles
from ..kernel import files as store, hooks
from ..kernel.changes import write_transaction
from ..kernel.clock import local_now, shown_datetime, zone
from ..kernel.db import is_postgres, utcnow
from ..kernel.errors import Conflict, Forbidden, Invalid, NotFound
from ..kernel.forms import Fields
from ..search.index import index_object
from ..search.services import Source
from .models import Enrolment, Training, TrainingFile, TrainingMaterial

PER_PAGE = 20


def may_organise(user):
    return user.is_authenticated and user.has_role("supervisor")


def require_organiser(user):
    if not may_organise(user):
        raise Forbidden(_("Only supervisors organise trainings."))


def get(training_id):
    training = Training.get_or_none(Training.id == training_id)
    if training is None:
        raise NotFound(_("No such training."))
    return training


def enrolled_count(training_id):
    return Enrolment.select().where(Enrolment.training == training_id).count()


def list_trainings(page=1, upcoming=True):
    """(rows with ``enrolled`` counts, total): upcoming ones soonest first, else past ones latest first."""
    now = local_now()
    query = Training.select(Training, peewee.fn.COUNT(Enrolment.id).alias("enrolled")).join(
        Enrolment, peewee.JOIN.LEFT_OUTER).group_by(Training.id)
    if upcoming:
        query = query.where(Training.ends_at >= now).order_by(Training.starts_at, Training.id)
    else:
        query = query.where(Training.ends_at < now).order_by(Training.starts_at.desc(), Training.id.desc())
    total = Training.select().where(Training.ends_at >= now if upcoming else Training.ends_at < now).count()
    return list(query.paginate(max(page, 1), PER_PAGE)), total


class _Input(Fields):
    """The form's fields: those of every form, and a moment (a local date and time)."""

    def moment(self, field):
        value = self.data.get(field)
        if value in (None, ""):
            self.error(field, _("This field is required."))
            return None
        try:
            moment = datetime.datetime.fromisoformat(str(value))
        except ValueError:
            self.error(field, _("Give a date and time such as 2026-12-01T09:30."))
            return None
        if moment.tzinfo is not None:
            moment = moment.astimezone(zone()).replace(tzinfo=None)
        return moment.replace(microsecond=0)


def _read(data):
    fields = _Input(data)
    values = {
        "title": fields.text("title", required=True, max_length=200),
        "place": fields.text("place", required=True, max_length=200),
        "trainer": fields.text("trainer", required=True, max_length=100),
        "description": fields.text("description", max_length=20000, multiline=True),
        "starts_at": fields.moment("starts_at"),
        "ends_at": fields.moment("ends_at"),
        "enrol_until": fields.moment("enrol_until"),
        "capacity": fields.integer("capacity", 1, 10000),
    }
    starts, ends, until = values["starts_at"], values["ends_at"], values["enrol_until"]
    if starts and ends and ends <= starts:
        fields.error("ends_at", _("The end must be after the start."))
    if starts and until and until > starts:
        fields.error("enrol_until", _("Enrolment must close before the training starts."))
    if starts and starts < local_now():
        fields.error("starts_at", _("The training must not start in the past."))
    materials = data.get("materials") or []
    if isinstance(materials, str):
        materials = [m for m in materials.replace("，", ",").split(",") if m.strip()]
    ids = []
    if not isinstance(materials, list):
        fields.error("materials", _("Give the materials as a list of article numbers."))
    else:
        for value in materials:
            text = str(value).strip() if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
            if text.isascii() and text.isdigit() and 0 < int(text) < 2**31:  # a number a row can have
                ids.append(int(text))
            else:
                fields.error("materials", _("Give the materials as a list of article numbers."))
        found = {a for (a,) in Article.select(Article.id).where(Article.id.in_(ids),
                                                                 Article.status == "published").tuples()}
        if set(ids) - found:
            fields.error("materials", _("No published article numbered %(ids)s.",
                                        ids=", ".join(str(i) for i in sorted(set(ids) - found))))
    fields.done()
    return values, sorted(set(ids))


def index_training(training_id):
    training = Training.get_by_id(training_id)
    index_object("training", training_id, training.title, [training.trainer, training.place, training.description])


def create_training(user, data):
    """A new training (supervisors); 403 / 422 with a message per field."""
    require_organiser(user)
    values, materials = _read(data)
    with write_transaction():
        training = Training.create(created_by=user, **values)
        if materials:
            TrainingMaterial.insert_many([{"training": training.id, "article": a} for a in materials]).execute()
        index_training(training.id)
    return training


def _lock(training_id):
    query = Training.select().where(Training.id == training_id)
    if is_postgres():
        query = query.for_update()
    training = query.first()
    if training is None:
        raise NotFound(_("No such training."))
    return training


def enrol(user, training_id):
    """Enrol ``user``; True when newly enrolled, False when already. 409 past enrol_until or when full."""
    with write_transaction():
        training = _lock(training_id)
        if Enrolment.select().where(Enrolment.training == training.id, Enrolment.user == user.id).exists():
            return False
        if local_now() > training.enrol_until:
            raise Conflict(_("Enrolment for this training closed on %(when)s.",
                             when=shown_datetime(training.enrol_until, wall=True)))
        if enrolled_count(training.id) >= training.capacity:
            raise Conflict(_("This training is full (%(n)s places).", n=training.capacity))
        Enrolment.create(training=training.id, user=user.id, enrolled_at=utcnow())
    return True


def cancel(user, training_id):
    """Cancel ``user``'s enrolment; False when not enrolled. 409 past enrol_until."""
    with write_transaction():
        training = _lock(training_id)
        mine = Enrolment.get_or_none(Enrolment.training == training.id, Enrolment.user == user.id)
        if mine is None:
            return False
        if local_now() > training.enrol_until:
            raise Conflict(_("Enrolment for this training closed on %(when)s; it can no longer be cancelled.",
                             when=shown_datetime(training.enrol_until, wall=True)))
        mine.delete_instance()
    return True


def is_enrolled(user, training_id):
    return Enrolment.select().where(Enrolment.training == training_id, Enrolment.user == user.id).exists()


def enrolments(training_id):
    return list(Enrolment.select(Enrolment, User).join(User, on=(Enrolment.user == User.id))
                .where(Enrolment.training == training_id).order_by(User.username))


def materials(user, training_id):
    """The training's articles that ``user`` may read (kb/queries.py): one set back to draft drops out."""
    return list(visible_articles(user).join(TrainingMaterial).where(TrainingMaterial.training == training_id)
                .order_by(Article.id))


def files(training_id):
    return list(TrainingFile.select().where(TrainingFile.training == training_id).order_by(TrainingFile.id))


def add_file(user, training_id, file_storage):
    """Add a file to the training's materials (supervisors); 422 with the reason when it is refused."""
    from ..kb.attachments import store_checked

    require_organiser(user)
    training = get(training_id)
    name, _kind, sha, size = store_checked(file_storage)
    with write_transaction():
        return TrainingFile.create(training=training.id, original_name=name, sha256=sha, size=size,
                                   uploaded_by=user)


def file_for_download(training_id, file_id):
    found = TrainingFile.get_or_none(TrainingFile.id == file_id, TrainingFile.training == training_id)
    if found is None or not store.path(found.sha256).is_file():
        raise NotFound(_("This file does not exist."))
    return found, store.path(found.sha256)


_TRUTH = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def _attendance_row(data):
    """(username, present, note) of one attendance row, and its errors by field name."""
    fields = Fields(data)
    username = fields.text("username", required=True, max_length=128)
    present = data.get("present")
    if isinstance(present, str):
        present = _TRUTH.get(present.strip().lower())
    if not isinstance(present, bool):
        fields.error("present", _("Say true or false."))
    note = fields.text("note", max_length=200, multiline=True)
    return (username, present, note), fields.errors


def _write_attendance(user, training, rows, key_of):
    """Record the rows (username, present, note) of ``training`` in one transaction. A username not
    enrolled is a 422 (its error under ``key_of(username)``) and nothing is written."""
    enrolled = {e.user.username: e for e in Enrolment.select(Enrolment, User).join(User)
                .where(Enrolment.training == training.id)}
    missing = {key_of(name): _("%(name)s is not enrolled in this training.", name=name)
               for name, _present, _note in rows if name not in enrolled}
    if missing:
        raise Invalid(next(iter(missing.values())), fields=missing)
    now = utcnow()
    with write_transaction():
        for name, present, note in rows:
            Enrolment.update(present=present, note=note, recorded_by=user.id, recorded_at=now).where(
                Enrolment.id == enrolled[name].id).execute()
    return [Enrolment.get_by_id(enrolled[name].id) for name, _present, _note in rows]


def record_attendance(user, training_id, data):
    """Record ``present`` and ``note`` for an enrolled ``username`` (supervisors); 403 / 404 / 422."""
    require_organiser(user)
    training = get(training_id)
    row, errors = _attendance_row(data)
    if errors:
        raise Invalid(next(iter(errors.values())), fields=errors)
    return _write_attendance(user, training, [row], lambda name: "username")[0]


def record_attendance_sheet(user, training_id, rows, all_present=False):
    """Record a training's whole attendance sheet at once (supervisors). ``rows`` are dicts of
    ``username``, ``present`` ("true", "false"; "" with no note: the row is not marked and keeps what it
    had) and ``note``; ``all_present`` marks every row present. Every row is checked first (errors keyed
    ``<field>-<username>``: 422, nothing written), then all are written in one transaction."""
    require_organiser(user)
    training = get(training_id)
    marked, errors, seen = [], {}, set()
    for data in rows:
        data = dict(data, present="true") if all_present else data
        name = data.get("username") if isinstance(data.get("username"), str) else ""
        if data.get("present") in (None, "") and not (data.get("note") or "").strip():
            continue
        row, row_errors = _attendance_row(data)
        if row[0] in seen:
            row_errors.setdefault("username", _("%(name)s is listed twice.", name=row[0]))
        seen.add(row[0])
        errors.update({f"{field}-{name}": message for field, message in row_errors.items()})
        marked.append(row)
    if errors:
        raise Invalid(_("Please correct the fields marked below."), fields=errors)
    return _write_attendance(user, training, marked, lambda name: f"username-{name}")


def learning_record(user):
    """The trainings ``user`` attended, and their hours."""
    rows = list(Training.select().join(Enrolment)
                .where(Enrolment.user == user.id, Enrolment.present == True)  # noqa: E712  (SQL, not Python)
                .order_by(Training.starts_at.desc()))
    return rows, round(sum(t.hours for t in rows), 1)


def _ics_text(value):
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _fold(line):
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line
    parts, current = [], ""
    for ch in line:
        if len((current + ch).encode("utf-8")) > (75 if not parts else 74):
            parts.append(current)
            current = ""
        current += ch
    parts.append(current)
    return "\r\n ".join(parts)


def ics(training, host):
    """The training as an iCalendar (RFC 5545) event, times in UTC."""

    def utc(moment):
        return moment.replace(tzinfo=zone()).astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")

    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Duban Portal//Trainings//ZH", "CALSCALE:GREGORIAN",
        "BEGIN:VEVENT",
        f"UID:training-{training.id}@{host}",
        f"DTSTAMP:{utcnow().strftime('%Y%m%dT%H%M%SZ')}",
        f"DTSTART:{utc(training.starts_at)}",
        f"DTEND:{utc(training.ends_at)}",
        f"SUMMARY:{_ics_text(training.title)}",
        f"LOCATION:{_ics_text(training.place)}",
        f"DESCRIPTION:{_ics_text(training.trainer + chr(10) + training.description)}",
        "END:VEVENT", "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def training_url_source():
    """Register trainings with the search (every signed-in user sees every training)."""
    from flask import url_for

    def load(ids):
        return {t.id: {"id": t.id, "title": t.title, "texts": [t.description, t.trainer, t.place],
                       "url": url_for("trainings.detail", training_id=t.id)}
                for t in Training.select().where(Training.id.in_(ids))}

    hooks.search_sources.add("training", Source(_l("Training"), lambda user: None, load))
    hooks.search_indexers.add("training", (Training, index_training))
