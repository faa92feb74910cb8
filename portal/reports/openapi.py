"""The OpenAPI description of this feature's /api/v1 endpoints (merged into /api/v1/openapi.json)."""

ERROR = {"$ref": "#/components/responses/Invalid"}
JOB = {"type": "object", "required": ["state", "progress", "result", "download"], "properties": {
    "job": {"type": "integer"}, "id": {"type": "integer"}, "kind": {"type": "string"},
    "state": {"type": "string", "enum": ["queued", "started", "finished", "failed"]},
    "progress": {"type": "integer", "minimum": 0, "maximum": 100},
    "result": {"type": ["object", "null"]}, "download": {"type": ["string", "null"]}}}


def _json(schema, description):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


PATHS = {
    "/api/v1/reports/circular": {"post": {
        "operationId": "startCircular", "summary": "Make the circular (督查通报) of a period as DOCX, as a job",
        "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
            "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
            "period": {"type": "string", "enum": ["month", "quarter", "year"]},
            "requirements": {"type": "string", "maxLength": 2000,
                             "description": "the requirements paragraph (default: reports.requirements)"}}}}}},
        "responses": {"202": _json(JOB, "The job, queued"),
                      "401": {"$ref": "#/components/responses/Unauthorized"},
                      "403": {"$ref": "#/components/responses/Forbidden"}, "422": ERROR}}},
    "/api/v1/imports/key-tasks": {"post": {
        "operationId": "importKeyTasks", "summary": "Import the year's key tasks from the XLSX template, as a job",
        "requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                                                        "properties": {"file": {
                                                                            "type": "string",
                                                                            "format": "binary"}}}}}},
        "responses": {"202": _json(JOB, "The job, queued; its result is the row report"),
                      "401": {"$ref": "#/components/responses/Unauthorized"},
                      "403": {"$ref": "#/components/responses/Forbidden"}, "422": ERROR}}},
    "/api/v1/jobs/<int:job_id>": {
        "parameters": [{"name": "job_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "get": {"operationId": "getJob", "summary": "One of your jobs: state, progress, result, download",
                "responses": {"200": _json(JOB, "The job"),
                              "401": {"$ref": "#/components/responses/Unauthorized"},
                              "404": {"$ref": "#/components/responses/NotFound"}}}},
}
