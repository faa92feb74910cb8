"""Planning an inspection, recording findings, taking them up (a new item or an urge on a linked item),
who sees what, the report, and the API — on both databases."""

import io

from portal.inspections.models import Finding, Inspection
from portal.items.models import Attachment, Item, ItemEvent
from portal.notify.models import Outbox

from .conftest import jpeg_with_gps, post_finding


def api_post(client, path, body):
    return client.post(path, json=body, headers={"X-CSRFToken": client.token})


def test_a_supervisor_plans_on_the_page_and_bad_input_is_shown_beside_the_fields(app, world, sign_in, reading):
    client = sign_in("supervisor")
    assert client.get("/inspections/new").status_code == 200
    bad = client.post("/inspections/new", data={"csrf_token": client.token, "subject": "", "date": "明天",
                                                "members": ["nobody"], "items": "DB-1999-0001"})
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert 'id="subject-error"' in page and 'id="date-error"' in page and 'id="members-error"' in page
    assert 'id="items-error"' in page and "DB-1999-0001" in page
    good = client.post("/inspections/new", data={
        "csrf_token": client.token, "subject": "食堂卫生检查", "date": "2026-12-01", "places": "一食堂\n二食堂",
        "members": ["supervisor", "catering"], "items": world["item"].number})
    assert good.status_code == 303
    with reading():
        inspection = Inspection.get(Inspection.subject == "食堂卫生检查")
        assert inspection.place_list == ["一食堂", "二食堂"]
    assert good.headers["Location"].endswith(f"/inspections/{inspection.id}")
    for who in ("handler", "leader", "admin"):
        other = sign_in(who)
        assert other.get("/inspections/new").status_code == 403
        assert api_post(other, "/api/v1/inspections", {"subject": "x", "date": "2026-12-01",
                                                       "members": ["handler"]}).status_code == 403


def test_the_api_plans_lists_and_reads(app, world, sign_in):
    client = sign_in("supervisor")
    response = api_post(client, "/api/v1/inspections", {
        "subject": "通勤班车检查", "date": "2026-12-02", "places": ["东站", "西站"], "members": ["commute"],
        "items": []})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["places"] == ["东站", "西站"] and body["members"] == ["commute"] and body["findings"] == []
    bad = api_post(client, "/api/v1/inspections", {"subject": "x" * 201, "date": "2026-13-01", "members": "x y",
                                                   "items": {"a": 1}})
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"subject", "date", "members", "items"}
    listed = client.get("/api/v1/inspections").get_json()["inspections"]
    assert {i["subject"] for i in listed} == {"通勤班车检查", "供暖设施入户检查"}
    commute = sign_in("commute")  # a member sees it; the property handler does not
    assert [i["subject"] for i in commute.get("/api/v1/inspections").get_json()["inspections"]] == ["通勤班车检查"]
    assert sign_in("culture").get(f"/api/v1/inspections/{body['id']}").status_code == 404


def test_members_record_others_may_not(app, world, sign_in, reading):
    inspection = world["inspection"]
    member = sign_in("handler")
    assert post_finding(member, inspection.id, text="").status_code == 422
    assert post_finding(member, inspection.id, severity="fatal").status_code == 422
    assert post_finding(member, inspection.id, item="DB-1999-0001").status_code == 422
    assert post_finding(member, inspection.id, item=world["item"].number).status_code == 303
    assert post_finding(sign_in("leader"), inspection.id).status_code == 403  # sees it, not a member
    assert post_finding(sign_in("culture"), inspection.id).status_code == 404  # sees nothing of it
    supervisor = sign_in("supervisor")
    api = supervisor.post(f"/api/v1/inspections/{inspection.id}/findings", data={
        "text": "楼道照明损坏", "severity": "minor", "photos": [(io.BytesIO(jpeg_with_gps()), "p.jpg")]},
        headers={"X-CSRFToken": supervisor.token}, content_type="multipart/form-data")
    assert api.status_code == 201, api.get_json()
    assert len(api.get_json()["photos"]) == 1 and api.get_json()["photos"][0]["thumbnail"].endswith("/thumb")
    with reading():
        assert Finding.select().count() == 2


def test_a_finding_becomes_a_prefilled_item_with_its_photos(app, world, sign_in, reading):
    inspection = world["inspection"]
    member = sign_in("handler")
    post_finding(member, inspection.id, text="三区锅炉房管道漏水\n地面结冰，有摔倒风险", severity="critical",
                 files=[("a.jpg", jpeg_with_gps()), ("b.jpg", jpeg_with_gps(orientation=1))])
    with reading():
        finding = Finding.get()
    path = f"/inspections/{inspection.id}/findings/{finding.id}/convert"
    # Only supervisors register items: a member handler, a leader cannot; the form needs a department.
    assert member.post(path, data={"csrf_token": member.token, "to": "item", "lead_department": "property"}
                       ).status_code == 403
    leader = sign_in("leader")
    assert leader.post(path, data={"csrf_token": leader.token, "to": "item", "lead_department": "property"}
                       ).status_code == 403
    supervisor = sign_in("supervisor")
    missing = supervisor.post(path, data={"csrf_token": supervisor.token, "to": "item"})
    assert missing.status_code == 422 and 'id="lead-%d-error"' % finding.id in missing.get_data(as_text=True)
    done = supervisor.post(path, data={"csrf_token": supervisor.token, "to": "item", "lead_department": "property"})
    assert done.status_code == 303
    with reading():
        item = Item.get(Item.source_type == "inspection")
        assert done.headers["Location"].endswith(f"/items/{item.number}")
        assert item.title == "实地督查：三区锅炉房管道漏水" and item.level == "major" and item.state == "draft"
        assert "地面结冰" in item.content and "供暖设施入户检查" in item.content and "三区锅炉房" in item.content
        assert item.source_ref.endswith("供暖设施入户检查")
        assert Attachment.select().where(Attachment.item == item.id).count() == 2
        finding = Finding.get_by_id(finding.id)
        assert finding.outcome == "new_item" and finding.item_id == item.id
    again = supervisor.post(path, data={"csrf_token": supervisor.token, "to": "item", "lead_department": "property"})
    assert again.status_code == 409
    with reading():
        assert Item.select().where(Item.source_type == "inspection").count() == 1
    # The page says what it became.
    assert f"/items/{item.number}" in supervisor.get(f"/inspections/{inspection.id}").get_data(as_text=True)


def test_a_finding_urges_a_linked_item_and_reaches_its_department(app, world, sign_in, reading):
    inspection, item = world["inspection"], world["item"]
    post_finding(sign_in("supervisor"), inspection.id, text="入户温度只有14度", item=item.number,
                 files=[("a.jpg", jpeg_with_gps())])
    with reading():
        finding = Finding.get()
    path = f"/api/v1/inspections/{inspection.id}/findings/{finding.id}/convert"
    handler = sign_in("handler")
    assert api_post(handler, path, {"to": "note"}).status_code == 403  # urge is for supervisors and leaders
    leader = sign_in("leader")
    assert api_post(leader, path, {"to": "note", "item": "DB-1999-0001"}).status_code == 422
    response = api_post(leader, path, {"to": "note"})
    assert response.status_code == 200 and response.get_json() == {"outcome": "note", "item": item.number}
    with reading():
        event = ItemEvent.get(ItemEvent.item == item.id, ItemEvent.action == "urge")
        assert "入户温度只有14度" in event.comment and "供暖设施入户检查" in event.comment
        notified = {row.recipient.username for row in Outbox.select().where(Outbox.event == event.id)}
        assert {"handler", "catering"} <= notified
        assert Attachment.select().where(Attachment.item == item.id, Attachment.sha256 == finding.photos[0].sha256
                                         ).exists()
    assert api_post(leader, path, {"to": "note"}).status_code == 409
    # A second finding on the same item within the urge gap: refused (409), and nothing is marked.
    post_finding(sign_in("supervisor"), inspection.id, text="二次发现", item=item.number)
    with reading():
        second = Finding.select().order_by(Finding.id.desc()).first()
    again = api_post(leader, f"/api/v1/inspections/{inspection.id}/findings/{second.id}/convert", {"to": "note"})
    assert again.status_code == 409
    with reading():
        assert Finding.get_by_id(second.id).outcome is None


def test_who_sees_which_findings(app, world, sign_in, reading):
    inspection, item, other = world["inspection"], world["item"], world["other"]
    supervisor = sign_in("supervisor")
    post_finding(supervisor, inspection.id, text="物业：楼道积水", item=item.number, files=[("a.jpg", jpeg_with_gps())])
    post_finding(supervisor, inspection.id, text="文体：场馆漏雨", item=other.number, files=[("b.jpg", jpeg_with_gps())])
    post_finding(supervisor, inspection.id, text="未归属：路灯不亮")
    with reading():
        findings = {f.text: f for f in Finding.select()}
        photos = {f.text: f.photos[0].id for f in findings.values() if f.photos.count()}

    def texts(username):
        client = sign_in(username)
        body = client.get(f"/api/v1/inspections/{inspection.id}")
        if body.status_code != 200:
            return body.status_code
        return sorted(f["text"] for f in body.get_json()["findings"])

    everything = sorted(findings)
    assert texts("supervisor") == texts("leader") == texts("handler") == everything  # handler: a member
    assert texts("culture") == ["文体：场馆漏雨"]  # their department's item only
    assert texts("catering") == ["物业：楼道积水"]  # a co-department of the property item
    assert texts("commute") == 404 and texts("admin") == 404
    culture = sign_in("culture")
    assert culture.get(f"/inspections/{inspection.id}/photos/{photos['文体：场馆漏雨']}").status_code == 200
    assert culture.get(f"/inspections/{inspection.id}/photos/{photos['物业：楼道积水']}").status_code == 404
    assert culture.get(f"/inspections/{inspection.id}/photos/{photos['物业：楼道积水']}/thumb").status_code == 404
    page = culture.get(f"/inspections/{inspection.id}").get_data(as_text=True)
    assert "场馆漏雨" in page and "楼道积水" not in page and "路灯不亮" not in page
    assert 'id="record"' not in page  # not a member: no record form
    report = culture.get(f"/inspections/{inspection.id}/report").get_data(as_text=True)
    assert "场馆漏雨" in report and "楼道积水" not in report
    assert [i["subject"] for i in culture.get("/api/v1/inspections").get_json()["inspections"]] == ["供暖设施入户检查"]
    assert "供暖设施入户检查" in culture.get("/inspections").get_data(as_text=True)
    assert "供暖设施入户检查" not in sign_in("commute").get("/inspections").get_data(as_text=True)


def test_the_report_prints_with_its_photos(app, world, sign_in, reading):
    inspection = world["inspection"]
    supervisor = sign_in("supervisor")
    post_finding(supervisor, inspection.id, text="锅炉房漏水", files=[("a.jpg", jpeg_with_gps())])
    with reading():
        photo = Finding.get().photos[0]
    report = supervisor.get(f"/inspections/{inspection.id}/report")
    assert report.status_code == 200
    html = report.get_data(as_text=True)
    assert "实地督查报告" in html and "锅炉房漏水" in html and "一区、三区锅炉房" in html
    assert f'src="/inspections/{inspection.id}/photos/{photo.id}"' in html
    assert "css/frontline.css" in html and "style=" not in html


def test_the_demo_has_an_inspection_with_photos_and_last_weeks_digests(app, tmp_path):
    from portal import demo
    from portal.digests.models import Digest
    from portal.digests.services import last_week
    from portal.inspections.models import FindingPhoto
    from portal.kernel.db import database

    app.config["PORTAL"]["uploads"]["folder"] = str(tmp_path / "uploads")
    with app.test_request_context(), database.connection_context():
        demo.seed()
        demo.seed()  # loaded once
        assert Inspection.select().count() == 1 and Finding.select().count() == 2
        assert FindingPhoto.select().count() == 3
        assert Item.select().where(Item.source_type == "inspection", Item.title.startswith("实地督查：")).count() == 1
        assert Digest.select().where(Digest.week == last_week()).count() == 1


def test_hostile_input_to_the_api_gets_422_or_404_never_500(app, world, sign_in, reading):
    inspection = world["inspection"]
    supervisor = sign_in("supervisor")
    post_finding(supervisor, inspection.id, text="楼道积水")
    with reading():
        finding = Finding.get()
    convert = f"/api/v1/inspections/{inspection.id}/findings/{finding.id}/convert"
    not_json = supervisor.post(convert, data="to=item", headers={"X-CSRFToken": supervisor.token},
                               content_type="application/json")
    assert not_json.status_code == 422
    for body in ({"to": "both"}, {"to": ["item"]}, {"to": {"x": 1}}, {"to": "item", "lead_department": ["a"]},
                 {"to": "note", "item": 12}, {"to": "item", "lead_department": "property", "deadline": "1999-01-01"}):
        assert api_post(supervisor, convert, body).status_code == 422, body
    for body in ({"subject": ["x"], "date": "2026-12-01", "members": ["handler"]},
                 {"subject": "x", "date": 20261201, "members": [None, {"a": 1}]},
                 {"subject": "x\u202e", "date": "2026-12-01", "members": ["handler"]},
                 {"subject": "x", "date": "2026-12-01", "members": ["handler"], "places": "a" * 2001}):
        assert api_post(supervisor, "/api/v1/inspections", body).status_code == 422, body
    assert supervisor.get(f"/api/v1/inspections/{2**40}").status_code == 404
    assert supervisor.get(f"/inspections/{inspection.id}/photos/{2**31}").status_code == 404
    assert supervisor.post(f"/api/v1/inspections/{inspection.id}/findings", data={"text": "x" * 2001},
                           headers={"X-CSRFToken": supervisor.token}).status_code == 422
    with reading():
        assert Item.select().where(Item.source_type == "inspection").count() == 0


def test_the_inspection_page_and_list_read_the_same_number_of_queries_whatever_their_rows(app, world, sign_in):
    from tests.querycount import count_queries

    inspection = world["inspection"]
    supervisor = sign_in("supervisor")
    post_finding(supervisor, inspection.id, text="一", files=[("a.jpg", jpeg_with_gps())])

    def counts():
        with count_queries() as page:
            assert supervisor.get(f"/inspections/{inspection.id}").status_code == 200
        with count_queries() as api:
            assert supervisor.get("/api/v1/inspections").status_code == 200
        return len(page), len(api)

    before = counts()
    for n in range(4):
        post_finding(supervisor, inspection.id, text=f"发现{n}", item=world["item"].number,
                     files=[("a.jpg", jpeg_with_gps())])
        api_post(supervisor, "/api/v1/inspections", {"subject": f"检查{n}", "date": "2026-12-01",
                                                     "members": ["handler", "catering"],
                                                     "items": [world["item"].number]})
    assert counts() == before
