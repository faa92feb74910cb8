"""The item pages: full page or fragment, actions by htmx and by plain post, errors beside fields, 409s."""

import re

from tests.conftest import csrf_token

HX = {"HX-Request": "true"}


def event_id(html):
    return re.search(r'name="seen" value="(\d+)"', html).group(1)


def version(html):
    return re.search(r'name="version" value="(\d+)"', html).group(1)


def test_item_page_is_a_page_and_a_fragment(sign_in, make_item):
    number = make_item()
    client = sign_in("handler")
    page = client.get(f"/items/{number}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html
    assert "已交办" in html and "物业服务中心" in html and "交办 → 已交办" in html
    assert "HX-Request" in page.headers["Vary"]
    # Only the actions this user may take now: the handler of the lead department signs for or returns.
    assert '>签收</button>' in html and "<summary>退回</summary>" in html
    assert "<summary>催办</summary>" not in html
    fragment = client.get(f"/items/{number}", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and fragment.lstrip().startswith('<div id="item"')


def test_action_by_htmx_swaps_the_item_and_refreshes_boards(sign_in, make_item):
    number = make_item()
    client = sign_in("handler")
    html = client.get(f"/items/{number}").get_data(as_text=True)
    response = client.post(f"/items/{number}/actions/accept", headers={**HX, "X-CSRFToken": csrf_token(client, "/")},
                           data={"version": version(html), "seen": event_id(html)})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "itemChanged"
    assert body.lstrip().startswith('<div id="item"') and "签收 → 办理中" in body and "已完成：签收" in body


def test_action_by_plain_post_redirects_back_to_the_item(sign_in, make_item):
    number = make_item()
    client = sign_in("handler")
    html = client.get(f"/items/{number}").get_data(as_text=True)
    response = client.post(f"/items/{number}/actions/accept",
                           data={"version": version(html), "csrf_token": csrf_token(client, "/")})
    assert response.status_code == 303 and response.headers["Location"] == f"/items/{number}"
    page = client.get(f"/items/{number}").get_data(as_text=True)
    assert "已完成：签收" in page and "办理中" in page


def test_bad_input_comes_back_beside_the_field(sign_in, make_item):
    number = make_item(actions=("dispatch", "accept"))
    client = sign_in("handler")
    html = client.get(f"/items/{number}").get_data(as_text=True)
    response = client.post(f"/items/{number}/actions/report", headers=HX,
                           data={"version": version(html), "progress": "150", "comment": "",
                                 "csrf_token": csrf_token(client, "/")})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<details open>' in body  # the form stays open with what was typed
    assert 'id="report-comment-error"' in body and 'id="report-progress-error"' in body
    assert 'aria-describedby="report-progress-error"' in body and 'value="150"' in body


def test_someone_else_acted_first(sign_in, make_item):
    number = make_item(actions=("dispatch", "accept"))
    handler, supervisor = sign_in("handler"), sign_in("supervisor")
    seen = handler.get(f"/items/{number}").get_data(as_text=True)
    urged = supervisor.get(f"/items/{number}").get_data(as_text=True)
    response = supervisor.post(f"/items/{number}/actions/urge", data={
        "version": version(urged), "comment": "请加快进度", "csrf_token": csrf_token(supervisor, "/")})
    assert response.status_code == 303
    response = handler.post(f"/items/{number}/actions/report", headers=HX, data={
        "version": version(seen), "seen": event_id(seen), "progress": "40", "comment": "进展",
        "csrf_token": csrf_token(handler, "/")})
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "其他人已先行处理" in body and "李秀英: 催办" in body
    assert f'name="version" value="{int(version(seen)) + 1}"' in body  # the panels are fresh: retry works


def test_registration_form_keeps_input_and_shows_errors(sign_in, demo):
    client = sign_in("supervisor")
    form = client.get("/items/new").get_data(as_text=True)
    assert 'name="deadline"' in form and 'value="supervisor" selected' in form
    token = csrf_token(client, "/items/new")
    response = client.post("/items/new", headers=HX, data={
        "csrf_token": token, "title": "", "source_type": "instruction", "lead_department": "",
        "co_departments": ["catering"], "content": "要求"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in body
    assert 'id="title-error"' in body and 'id="lead_department-error"' in body
    assert 'value="catering" checked' in body
    response = client.post("/items/new", data={
        "csrf_token": token, "title": "旧房出售", "source_type": "instruction", "lead_department": "property",
        "co_departments": ["catering"], "content": "要求"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "旧房出售" in page and "餐饮服务中心" in page and "领导批示" in page


def test_pickers_search_as_you_type(sign_in, demo):
    client = sign_in("supervisor")
    html = client.get("/items/pickers/departments?field=lead_department&lead_department_q=物业",
                      headers=HX).get_data(as_text=True)
    assert "物业服务中心" in html and "餐饮服务中心" not in html
    html = client.get("/items/pickers/departments?field=co_departments&multiple=1&co_departments_q=物业"
                      "&co_departments=catering", headers=HX).get_data(as_text=True)
    assert 'value="catering" checked' in html and 'type="checkbox"' in html  # the choice made stays
    html = client.get("/items/pickers/people?field=leader&role=leader&leader_q=王").get_data(as_text=True)
    assert 'value="leader"' in html and 'value="supervisor"' not in html
    assert client.get("/items/pickers/people?field=evil&role=leader").status_code == 404
    html = client.get("/items/new/deadline?source_type=instruction", headers=HX).get_data(as_text=True)
    assert 'id="deadline-field"' in html


def test_drafts_are_edited_and_decomposed(sign_in, make_item):
    number = make_item(actions=())
    client = sign_in("supervisor")
    form = client.get(f"/items/{number}/edit").get_data(as_text=True)
    response = client.post(f"/items/{number}/edit", data={
        "csrf_token": csrf_token(client, "/"), "version": version(form), "title": "供暖接入市网（修订）",
        "source_type": "meeting", "level": "major", "deadline": re.search(r'name="deadline"[^>]*value="([^"]+)"', form)
        .group(1), "lead_department": "property", "content": "要求"})
    assert response.status_code == 303
    page = client.get(f"/items/{number}").get_data(as_text=True)
    assert "供暖接入市网（修订）" in page and "重大" in page
    response = client.post(f"/items/{number}/children/new", data={
        "csrf_token": csrf_token(client, "/"), "title": "管网改造", "lead_department": "culture", "content": "子任务",
        "source_type": "meeting"})
    assert response.status_code == 303
    assert "管网改造" in client.get(f"/items/{number}").get_data(as_text=True)


def test_handler_of_another_department_gets_404(sign_in, make_item):
    number = make_item()
    client = sign_in("catering")
    response = client.get(f"/items/{number}")
    assert response.status_code == 404 and "供暖接入市网" not in response.get_data(as_text=True)
    assert client.get(f"/items/{number}/print").status_code == 404


def test_attachments_are_downloaded_not_shown(sign_in, make_item):
    import io

    number = make_item(actions=("dispatch", "accept"))
    client = sign_in("handler")
    response = client.post(f"/items/{number}/attachments", data={
        "csrf_token": csrf_token(client, "/"), "file": (io.BytesIO(b"%PDF-1.4 x"), "方案.pdf")})
    assert response.status_code == 303
    page = client.get(f"/items/{number}").get_data(as_text=True)
    link = re.search(r'href="(/items/[^"]+/attachments/\d+)">方案.pdf', page).group(1)
    download = client.get(link)
    assert download.status_code == 200 and download.data == b"%PDF-1.4 x"
    assert download.headers["Content-Disposition"].startswith("attachment")
    response = client.post(f"/items/{number}/attachments", headers=HX, data={
        "csrf_token": csrf_token(client, "/"), "file": (io.BytesIO(b"MZ"), "virus.exe")})
    assert response.status_code == 422 and 'id="attach-file-error"' in response.get_data(as_text=True)


def test_print_notice_is_one_page_with_signature_lines(sign_in, make_item):
    number = make_item()
    html = sign_in("supervisor").get(f"/items/{number}/print").get_data(as_text=True)
    assert "督办单" in html and number in html and "承办部门签收人" in html and "data-print" in html


def test_pages_speak_english_when_chosen(sign_in, make_item):
    number = make_item()
    client = sign_in("handler")
    client.post("/locale/en", data={"csrf_token": csrf_token(client, "/"), "next": f"/items/{number}"})
    html = client.get(f"/items/{number}").get_data(as_text=True)
    assert "Dispatched" in html and "Sign for" in html and "Lead department" in html and "已交办" not in html
    board = client.get("/").get_data(as_text=True)
    assert "Items to sign for" in board and "Green" in board


def test_leaders_follow_items_onto_their_board(sign_in, make_item):
    number = make_item()
    client = sign_in("leader")
    response = client.post(f"/items/{number}/follow", headers=HX,
                           data={"follow": "1", "csrf_token": csrf_token(client, "/")})
    assert response.status_code == 200 and 'aria-pressed="true"' in response.get_data(as_text=True)
    assert "供暖接入市网" in client.get("/board/followed").get_data(as_text=True)
    client.post(f"/items/{number}/follow", data={"follow": "0", "csrf_token": csrf_token(client, "/")})
    assert "供暖接入市网" not in client.get("/board/followed").get_data(as_text=True)
    handler = sign_in("handler")
    assert 'action="/items/{}/follow"'.format(number) not in handler.get(f"/items/{number}").get_data(as_text=True)


def test_closure_without_evidence_is_refused_beside_the_file_field(sign_in, make_item):
    number = make_item(actions=("dispatch", "accept"))
    client = sign_in("handler")
    html = client.get(f"/items/{number}").get_data(as_text=True)
    response = client.post(f"/items/{number}/actions/request_closure", headers=HX, data={
        "version": version(html), "comment": "已完成", "csrf_token": csrf_token(client, "/")})
    assert response.status_code == 422
    assert 'id="request_closure-file-error"' in response.get_data(as_text=True)


def test_item_page_query_count_does_not_grow_with_its_timeline(app, sign_in, make_item):
    from portal.auth.models import User
    from portal.items import actions, services
    from portal.kernel.db import database
    from tests.querycount import fresh_request_queries

    number = make_item(actions=("dispatch", "accept"))
    client = sign_in("handler")
    client.get(f"/items/{number}")
    few = fresh_request_queries(client, f"/items/{number}")
    with app.test_request_context(), database.connection_context():
        handler = User.get(User.username == "handler")
        for n in range(10):
            item = services.get_visible(handler, number)
            actions.perform(handler, item, "report", {"version": item.version, "progress": n * 10, "comment": "进展"})
    many = fresh_request_queries(client, f"/items/{number}")
    page = client.get(f"/items/{number}").get_data(as_text=True)
    assert page.count('class="event-report"') == 10
    assert len(many) == len(few)


def test_a_returned_item_shows_why_and_goes_out_again(sign_in, make_item):
    number = make_item()
    handler, supervisor = sign_in("handler"), sign_in("supervisor")
    html = handler.get(f"/items/{number}").get_data(as_text=True)
    response = handler.post(f"/items/{number}/actions/return", data={
        "version": version(html), "reason": "not_our_remit", "comment": "应由餐饮服务中心办理",
        "csrf_token": csrf_token(handler, "/")})
    assert response.status_code == 303
    html = supervisor.get(f"/items/{number}").get_data(as_text=True)
    assert "张伟 退回" in html and "不属于本部门职责" in html and "应由餐饮服务中心办理" in html
    assert f'href="/items/{number}/edit"' in html and ">交办</button>" in html
    assert badge_count(supervisor.get("/").get_data(as_text=True), "returned") == 1


def badge_count(html, panel):
    section = re.search(rf'id="panel-{panel}".*?</h2>', html, re.S).group(0)
    return int(re.search(r'class="badge[^"]*"[^>]*>(\d+)<', section).group(1))


def test_forms_and_pickers_are_for_supervisors(sign_in, make_item):
    number = make_item(actions=())
    handler = sign_in("handler")
    leader = sign_in("leader")
    assert handler.get("/items/new").status_code == 403
    assert leader.get(f"/items/{number}/edit").status_code == 403
    assert leader.get(f"/items/{number}/children/new").status_code == 403
    assert leader.get("/items/pickers/people?field=leader&role=leader").status_code == 403
