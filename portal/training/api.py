"""/api/v1/trainings: list, create, read, enrol/cancel, attendance."""

from flask import jsonify, request, url_for
from flask_login import current_user

from ..kernel.api import feature_blueprint, json_body
from ..kernel.paging import page_arg
from . import services

bp = feature_blueprint("trainings_api", __name__, "/api/v1/trainings")


def training_json(training, full=False):
    body = {"id": training.id, "title": training.title, "starts_at": training.starts_at.isoformat(),
            "ends_at": training.ends_at.isoformat(), "place": training.place, "trainer": training.trainer,
            "capacity": training.capacity, "enrol_until": training.enrol_until.isoformat(),
            "enrolled": services.enrolled_count(training.id), "hours": training.hours,
            "url": url_for("trainings.detail", training_id=training.id),
            "ics": url_for("trainings.calendar", training_id=training.id)}
    if full:
        body["description"] = training.description
        body["materials"] = [{"id": a.id, "title": a.title, "url": url_for("kb.view", article_id=a.id)}
                             for a in services.materials(current_user, training.id)]
        body["files"] = [{"id": f.id, "name": f.original_name, "size": f.size,
                          "url": url_for("trainings.download", training_id=training.id, file_id=f.id)}
                         for f in services.files(training.id)]
        body["me"] = {"enrolled": services.is_enrolled(current_user, training.id)}
        if services.may_organise(current_user):
            body["enrolments"] = [{"username": e.user.username, "present": e.present, "note": e.note}
                                  for e in services.enrolments(training.id)]
    return body


@bp.get("")
def list_trainings():
    past = request.args.get("when") == "past"
    page = page_arg()
    rows, total = services.list_trainings(page, upcoming=not past)
    return jsonify({"total": total, "page": page, "trainings": [training_json(t) for t in rows]})


@bp.post("")
def create_training():
    return jsonify(training_json(services.create_training(current_user, json_body()), full=True)), 201


@bp.get("/<int:training_id>")
def get_training(training_id):
    return jsonify(training_json(services.get(training_id), full=True))


@bp.post("/<int:training_id>/enrolment")
def enrol(training_id):
    services.get(training_id)
    created = services.enrol(current_user, training_id)
    return jsonify({"enrolled": True, "enrolled_count": services.enrolled_count(training_id)}), \
        201 if created else 200


@bp.delete("/<int:training_id>/enrolment")
def cancel(training_id):
    services.get(training_id)
    services.cancel(current_user, training_id)
    return jsonify({"enrolled": False, "enrolled_count": services.enrolled_count(training_id)})


@bp.post("/<int:training_id>/attendance")
def attendance(training_id):
    enrolment = services.record_attendance(current_user, training_id, json_body())
    return jsonify({"username": enrolment.user.username, "present": enrolment.present, "note": enrolment.note})


_E = {code: {"$ref": f"#/components/responses/{name}"} for code, name in
      (("401", "Unauthorized"), ("403", "Forbidden"), ("404", "NotFound"), ("409", "Conflict"), ("422", "Invalid"))}
_T = {"type": "object", "required": ["id", "title", "starts_at", "ends_at", "capacity"], "properties": {
    "id": {"type": "integer"}, "title": {"type": "string"}, "starts_at": {"type": "string"},
    "ends_at": {"type": "string"}, "place": {"type": "string"}, "trainer": {"type": "string"},
    "capacity": {"type": "integer"}, "enrol_until": {"type": "string"}, "enrolled": {"type": "integer"},
    "description": {"type": "string"}, "materials": {"type": "array", "items": {"type": "integer"}}}}
# What the API answers: each material as the article it is (a body sends the articles' ids).
_T_OUT = {**_T, "properties": {**_T["properties"], "materials": {"type": "array", "items": {
    "type": "object", "required": ["id", "title", "url"], "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"}, "url": {"type": "string"}}}}}}
_ID = {"name": "training_id", "in": "path", "required": True, "schema": {"type": "integer"}}


def _ok(description, code="200", schema=None):
    return {code: {"description": description,
                   "content": {"application/json": {"schema": schema or {"type": "object"}}}}}


def _errors(*codes):
    return {code: _E[code] for code in codes}


OPENAPI_PATHS = {
    "/api/v1/trainings": {
        "get": {"operationId": "listTrainings", "summary": "Upcoming trainings (when=past: past ones)",
                "parameters": [{"name": "when", "in": "query", "required": False,
                                "schema": {"type": "string", "enum": ["past"]}},
                               {"name": "page", "in": "query", "required": False, "schema": {"type": "integer"}}],
                "responses": {**_ok("One page of trainings"), **_errors("401")}},
        "post": {"operationId": "createTraining", "summary": "Organise a training (supervisor)",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": _T}}},
                 "responses": {**_ok("The training", "201", _T_OUT), **_errors("401", "403", "422")}}},
    "/api/v1/trainings/<int:training_id>": {
        "parameters": [_ID],
        "get": {"operationId": "getTraining", "summary": "One training",
                "responses": {**_ok("The training", schema=_T_OUT), **_errors("401", "404")}}},
    "/api/v1/trainings/<int:training_id>/enrolment": {
        "parameters": [_ID],
        "post": {"operationId": "enrol", "summary": "Enrol (409 past enrol_until or when full)",
                 "responses": {**_ok("Already enrolled"), **_ok("Enrolled", "201"),
                               **_errors("401", "404", "409")}},
        "delete": {"operationId": "cancelEnrolment", "summary": "Cancel the enrolment (409 past enrol_until)",
                   "responses": {**_ok("Not enrolled"), **_errors("401", "404", "409")}}},
    "/api/v1/trainings/<int:training_id>/attendance": {
        "parameters": [_ID],
        "post": {"operationId": "recordAttendance", "summary": "Record attendance (supervisor)",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": {
                     "type": "object", "required": ["username", "present"], "properties": {
                         "username": {"type": "string"}, "present": {"type": "boolean"},
                         "note": {"type": "string"}}}}}},
                 "responses": {**_ok("Recorded"), **_errors("401", "403", "404", "422")}}},
}
