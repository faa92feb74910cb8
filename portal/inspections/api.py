"""/api/v1 inspections: list, plan, read, record findings (multipart), convert a finding."""

from flask import jsonify, request, url_for
from flask_login import current_user

from ..kernel.api import feature_blueprint, json_body
from . import services

bp = feature_blueprint("inspections_api", __name__, "/api/v1")


def photo_json(inspection, photo):
    return {"id": photo.id, "content_type": photo.content_type, "size": photo.size, "width": photo.width,
            "height": photo.height,
            "url": url_for("inspections.photo", inspection_id=inspection.id, photo_id=photo.id),
            "thumbnail": url_for("inspections.thumb", inspection_id=inspection.id, photo_id=photo.id)}


def finding_json(inspection, finding, photos):
    return {"id": finding.id, "text": finding.text, "severity": finding.severity,
            "recorded_by": finding.recorded_by.username, "created_at": finding.created_at.isoformat() + "Z",
            "item": finding.item.number if finding.item_id else None, "outcome": finding.outcome,
            "photos": [photo_json(inspection, p) for p in photos]}


def inspection_json(inspection, findings=None, people=None, items=None):
    if people is None:
        people, items = services.members_and_items_of(current_user, [inspection])
    data = {"id": inspection.id, "subject": inspection.subject, "date": inspection.date.isoformat(),
            "places": inspection.place_list, "planned_by": inspection.planned_by.username,
            "members": people[inspection.id], "items": items[inspection.id]}
    if findings is not None:
        photos = services.photos_of(findings)
        data["findings"] = [finding_json(inspection, f, photos[f.id]) for f in findings]
    return data


@bp.get("/inspections")
def list_inspections():
    rows = list(services.visible_inspections_with_planner(current_user).limit(200))
    people, items = services.members_and_items_of(current_user, rows)
    return jsonify({"inspections": [inspection_json(i, people=people, items=items) for i in rows]})


@bp.post("/inspections")
def plan():
    inspection = services.plan(current_user, json_body())
    response = jsonify(inspection_json(inspection, []))
    response.status_code = 201
    response.headers["Location"] = url_for("inspections_api.get_inspection", inspection_id=inspection.id)
    return response


@bp.get("/inspections/<int:inspection_id>")
def get_inspection(inspection_id):
    inspection = services.get_visible(current_user, inspection_id)
    return jsonify(inspection_json(inspection, list(services.visible_findings(current_user, inspection))))


@bp.post("/inspections/<int:inspection_id>/findings")
def record(inspection_id):
    inspection = services.get_visible(current_user, inspection_id)
    data = {key: value for key, value in request.form.items()}
    finding = services.record_finding(current_user, inspection, data, request.files.getlist("photos"))
    response = jsonify(finding_json(inspection, finding, services.photos_of([finding])[finding.id]))
    response.status_code = 201
    return response


@bp.post("/inspections/<int:inspection_id>/findings/<int:finding_id>/convert")
def convert(inspection_id, finding_id):
    inspection = services.get_visible(current_user, inspection_id)
    finding = services.get_finding(current_user, inspection, finding_id)
    outcome, item = services.convert(current_user, inspection, finding, json_body())
    response = jsonify({"outcome": outcome, "item": item.number})
    response.status_code = 201 if outcome == "new_item" else 200
    return response


OPENAPI_PATHS = {
    "/api/v1/inspections": {
        "get": {"operationId": "listInspections", "summary": "Field inspections you may see (docs/front-line.md)",
                "responses": {"200": {"description": "Inspections"}, "401": {"description": "Sign in"}}},
        "post": {"operationId": "planInspection", "summary": "Plan an inspection (supervisors)",
                 "requestBody": {"content": {"application/json": {"schema": {
                     "type": "object", "required": ["subject", "date", "members"],
                     "properties": {"subject": {"type": "string"}, "date": {"type": "string", "format": "date"},
                                    "places": {"type": "array", "items": {"type": "string"}},
                                    "members": {"type": "array", "items": {"type": "string"}},
                                    "items": {"type": "array", "items": {"type": "string"}}}}}}},
                 "responses": {"201": {"description": "Planned"}, "403": {"description": "Not a supervisor"},
                               "422": {"description": "Bad input"}}}},
    "/api/v1/inspections/<int:inspection_id>": {
        "get": {"operationId": "getInspection", "summary": "An inspection with the findings you may see",
                "parameters": [{"name": "inspection_id", "in": "path", "required": True,
                                "schema": {"type": "integer"}}],
                "responses": {"200": {"description": "The inspection"}, "404": {"description": "Not visible"}}}},
    "/api/v1/inspections/<int:inspection_id>/findings": {
        "post": {"operationId": "recordFinding", "summary": "Record a finding with photos (members)",
                 "parameters": [{"name": "inspection_id", "in": "path", "required": True,
                                 "schema": {"type": "integer"}}],
                 "requestBody": {"content": {"multipart/form-data": {"schema": {
                     "type": "object", "required": ["text"],
                     "properties": {"text": {"type": "string"},
                                    "severity": {"type": "string", "enum": ["minor", "serious", "critical"]},
                                    "item": {"type": "string"},
                                    "photos": {"type": "array",
                                               "items": {"type": "string", "format": "binary"}}}}}}},
                 "responses": {"201": {"description": "Recorded"}, "403": {"description": "Not a member"},
                               "404": {"description": "No such inspection, or not visible"},
                               "413": {"description": "A photo is too large"},
                               "422": {"description": "Bad input or not a photo"}}}},
    "/api/v1/inspections/<int:inspection_id>/findings/<int:finding_id>/convert": {
        "post": {"operationId": "convertFinding", "summary": "A finding becomes a new item or an urge on a linked item",
                 "parameters": [{"name": "inspection_id", "in": "path", "required": True,
                                 "schema": {"type": "integer"}},
                                {"name": "finding_id", "in": "path", "required": True,
                                 "schema": {"type": "integer"}}],
                 "requestBody": {"content": {"application/json": {"schema": {
                     "type": "object", "required": ["to"],
                     "properties": {"to": {"type": "string", "enum": ["item", "note"]},
                                    "lead_department": {"type": "string"}, "item": {"type": "string"}}}}}},
                 "responses": {"201": {"description": "A new item"}, "200": {"description": "An urge was sent"},
                               "403": {"description": "Not allowed"}, "409": {"description": "Taken up already"},
                               "404": {"description": "No such inspection or finding, or not visible"},
                               "422": {"description": "Bad input"}}}},
}
