"""docs/items.md end to end through the API alone, with every step's wrong actor and wrong state."""

import datetime
import io

from openapi_schema_validator import OAS31Validator

from portal.kernel.clock import local_today

TODAY = local_today()


def day(n):
    return (TODAY + datetime.timedelta(days=n)).isoformat()


class Check:
    """Runs a step's refusals and then the step itself, validating the body against the OpenAPI schema."""

    def __init__(self, sign_in):
        self.api = sign_in
        self.components = sign_in("supervisor").get("/api/v1/openapi.json").get_json()["components"]

    def valid(self, body, schema):
        OAS31Validator({"$ref": f"#/components/schemas/{schema}", "components": self.components}).validate(body)
        return body

    def item(self, number, user="supervisor"):
        response = self.api(user).get(f"/api/v1/items/{number}")
        assert response.status_code == 200
        return self.valid(response.get_json(), "ItemDetail")

    def refused(self, user, number, action, body, status):
        version = self.item(number)["version"]
        response = self.api(user).post(f"/api/v1/items/{number}/actions/{action}", json={**body, "version": version})
        assert response.status_code == status, (user, action, response.get_json())
        assert self.item(number)["version"] == version
        return response.get_json()["error"]

    def do(self, user, number, action, body=None, wrong_actor=None, wrong_state=None):
        """``action`` by ``user``; first ``wrong_actor`` gets 403; afterwards repeating it gets 409."""
        body = body or {}
        if wrong_actor:
            self.refused(wrong_actor, number, action, body, 403)
        version = self.item(number)["version"]
        response = self.api(user).post(f"/api/v1/items/{number}/actions/{action}",
                                       json={**body, "version": version})
        assert response.status_code == 200, (user, action, response.get_json())
        result = self.valid(response.get_json(), "ActionResult")
        assert result["event"]["action"] == action and result["item"]["version"] == version + 1
        if wrong_state:
            self.refused(user, number, action, body, 409)
        return result["item"]

    def upload(self, user, number, name="佐证材料.pdf"):
        response = self.api(user).post(f"/api/v1/items/{number}/attachments",
                                       data={"file": (io.BytesIO(b"%PDF-1.4 evidence"), name)},
                                       content_type="multipart/form-data")
        assert response.status_code == 201, response.get_json()
        return self.valid(response.get_json(), "Attachment")


def test_a_major_item_from_registration_to_rating(sign_in, demo):
    check = Check(sign_in)
    supervisor = sign_in("supervisor")
    body = {"title": "供暖接入市网", "content": "年底前完成供暖接入市政管网", "source_type": "key_task",
            "level": "major", "lead_department": "property", "co_departments": ["catering"], "leader": "leader",
            "deadline": day(30), "feedback_cycle_days": 7}

    assert sign_in("handler").post("/api/v1/items", json=body).status_code == 403
    response = supervisor.post("/api/v1/items", json=body)
    assert response.status_code == 201
    parent = check.valid(response.get_json(), "ItemDetail")
    number = parent["number"]
    assert response.headers["Location"].endswith(f"/api/v1/items/{number}")
    assert (parent["state"], parent["co_departments"][0]["code"]) == ("draft", "catering")

    child_body = {"title": "供暖管线改造", "source_type": "key_task", "lead_department": "culture", "deadline": day(20)}
    # A draft is the office's working copy: not even visible to the handler.
    assert sign_in("handler").post(f"/api/v1/items/{number}/children", json=child_body).status_code == 404
    too_late = supervisor.post(f"/api/v1/items/{number}/children", json={**child_body, "deadline": day(31)})
    assert too_late.status_code == 422 and "deadline" in too_late.get_json()["error"]["fields"]
    response = supervisor.post(f"/api/v1/items/{number}/children", json=child_body)
    assert response.status_code == 201
    child = response.get_json()["number"]
    assert response.get_json()["parent"] == {"number": number, "title": "供暖接入市网"}

    check.do("supervisor", number, "dispatch", wrong_actor="leader", wrong_state=True)
    check.do("supervisor", child, "dispatch", wrong_actor="leader", wrong_state=True)
    assert sign_in("handler").post(f"/api/v1/items/{number}/children", json=child_body).status_code == 403
    check.do("handler", number, "accept", wrong_actor="catering", wrong_state=True)

    attachment = check.upload("handler", number)
    check.refused("handler", number, "report", {"comment": "完成40%", "progress": 140}, 422)
    item = check.do("handler", number, "report", {"comment": "完成40%", "progress": 40},
                    wrong_actor="leader")
    assert item["progress"] == 40
    check.refused("culture", child, "report", {"comment": "尚未签收", "progress": 10}, 409)

    check.do("handler", number, "request_extension", {"new_deadline": day(45), "comment": "管网施工受天气影响"},
             wrong_actor="catering", wrong_state=True)
    item = check.do("leader", number, "decide_extension", {"decision": "approve", "comment": "同意延期"},
                    wrong_actor="supervisor", wrong_state=True)
    assert (item["deadline"], item["extension_count"]) == (day(45), 1)

    check.refused("handler", number, "request_closure", {"comment": "子项未完成"}, 409)
    check.do("culture", child, "accept", wrong_actor="leader")
    check.refused("handler", child, "accept", {}, 404)  # another department's item: not even visible
    check.upload("culture", child)
    check.do("culture", child, "request_closure", {"comment": "改造完成"}, wrong_actor="supervisor",
             wrong_state=True)
    check.do("supervisor", child, "review", {"decision": "approve"}, wrong_actor="leader", wrong_state=True)
    check.do("leader", child, "approve", {"decision": "approve"}, wrong_actor="supervisor", wrong_state=True)

    check.refused("leader", number, "rate", {"score": 5, "comment": "未办结"}, 409)
    check.do("handler", number, "request_closure", {"comment": "供暖已接入市网"}, wrong_actor="catering",
             wrong_state=True)
    check.do("supervisor", number, "review", {"decision": "approve"}, wrong_actor="leader", wrong_state=True)
    check.do("leader", number, "approve", {"decision": "approve"}, wrong_actor="supervisor", wrong_state=True)
    item = check.do("leader", number, "rate", {"score": 5, "comment": "按期高质量完成"}, wrong_actor="handler")

    assert (item["state"], item["score"], item["light"], item["closed_on_time"]) == ("closed", 5, "on_time", True)
    assert [c["state"] for c in item["children"]] == ["closed"]
    assert [e["action"] for e in item["events"]] == [
        "create", "add_child", "dispatch", "accept", "attach", "report", "request_extension", "decide_extension",
        "request_closure", "review", "approve", "rate"]
    download = sign_in("catering").get(attachment["url"])
    assert download.status_code == 200 and download.data == b"%PDF-1.4 evidence"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "filename*=UTF-8''%E4%BD%90%E8%AF%81" in download.headers["Content-Disposition"]
    assert sign_in("culture").get(attachment["url"]).status_code == 404
