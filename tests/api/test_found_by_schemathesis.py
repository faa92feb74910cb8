"""What the schemathesis run (test_schemathesis.py) found, each kept as a plain regression test."""

import pytest


@pytest.mark.parametrize("param", ["q", "leader", "department", "state", "parent"])
def test_a_nul_in_a_list_filter_selects_nothing_instead_of_a_500(sign_in, demo, param):
    supervisor = sign_in("supervisor")
    response = supervisor.get(f"/api/v1/items?{param}=a%00b")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.get_json()["total"] == 0
    assert supervisor.get(f"/items?{param}=a%00b").status_code == 200


def test_the_document_names_every_type_a_download_is_served_as(sign_in, demo, tmp_path):
    from portal.kernel.files import TYPES

    document = sign_in("supervisor").get("/api/v1/openapi.json").get_json()
    download = document["paths"]["/api/v1/items/{number}/attachments/{attachment_id}"]["get"]
    documented = set(download["responses"]["200"]["content"])
    assert {media.split(";")[0] for media in TYPES.values()} | {"application/octet-stream"} <= documented


@pytest.mark.parametrize("materials", [[2**70], ["99999999999999999999"], ["١٢"], [-3]])
def test_a_training_material_number_out_of_range_is_422_not_500(sign_in, demo, materials):
    response = sign_in("supervisor").post("/api/v1/trainings", json={
        "title": "安全培训", "place": "会议室", "trainer": "李老师", "capacity": 20,
        "starts_at": "2030-01-10T09:00", "ends_at": "2030-01-10T11:00", "enrol_until": "2030-01-09T18:00",
        "materials": materials})
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert "materials" in response.get_json()["error"]["fields"]


def test_the_inspection_finding_operations_document_their_404(sign_in, demo):
    supervisor = sign_in("supervisor")
    paths = supervisor.get("/api/v1/openapi.json").get_json()["paths"]
    for path, body in (("/api/v1/inspections/999999/findings", None),
                       ("/api/v1/inspections/999999/findings/1/convert", {"to": "item"})):
        response = supervisor.post(path, json=body) if body else supervisor.post(path, data={"text": "x"})
        assert response.status_code == 404
        template = path.replace("999999", "{inspection_id}").replace("/1/", "/{finding_id}/")
        assert "404" in paths[template]["post"]["responses"], template
