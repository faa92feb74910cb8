"""Reviewing and approving a closure: the request's summary and its evidence stand inside the form that
decides on it, and the progress shows what the request says (done, 申请办结), not the last report."""

import io
import re

from tests.conftest import csrf_token

HX = {"HX-Request": "true"}
SUMMARY = "三号楼供暖已接入市网，试运行七天无故障"


def version(html):
    return re.search(r'name="version" value="(\d+)"', html).group(1)


def form_html(html, action):
    start = html.index(f'id="form-{action}"')
    return html[start:html.index("</form>", start)]


def progress_text(html):
    dd = re.search(r"<progress[^>]*>.*?</dd>", html, re.S).group(0)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", dd)).strip(), re.search(r'<progress[^>]*value="(\d+)"', dd)


def test_review_and_approval_show_the_summary_and_evidence_beside_the_form(sign_in, make_item):
    number = make_item(actions=("dispatch", "accept"))
    handler = sign_in("handler")
    token = csrf_token(handler, "/")
    page = handler.get(f"/items/{number}").get_data(as_text=True)
    handler.post(f"/items/{number}/actions/report", headers={**HX, "X-CSRFToken": token},
                 data={"version": version(page), "progress": "40", "comment": "完成四成"})
    handler.post(f"/items/{number}/attachments", headers={**HX, "X-CSRFToken": token},
                 data={"file": (io.BytesIO(b"%PDF-1.4 plan"), "实施方案.pdf")}, content_type="multipart/form-data")
    page = handler.get(f"/items/{number}").get_data(as_text=True)
    response = handler.post(f"/items/{number}/actions/request_closure", headers={**HX, "X-CSRFToken": token},
                            data={"version": version(page), "comment": SUMMARY,
                                  "file": (io.BytesIO(b"%PDF-1.4 report"), "验收报告.pdf")},
                            content_type="multipart/form-data")
    assert response.status_code == 200, response.get_data(as_text=True)

    supervisor = sign_in("supervisor")
    page = supervisor.get(f"/items/{number}").get_data(as_text=True)
    review = form_html(page, "review")
    assert SUMMARY in review and "验收报告.pdf" in review
    assert "实施方案.pdf" not in review  # sent before, not with the request
    text, bar = progress_text(page)
    assert bar.group(1) == "100" and "申请办结" in text and "最近反馈 40%" in text

    response = supervisor.post(f"/items/{number}/actions/review", headers={**HX, "X-CSRFToken": csrf_token(supervisor, "/")},
                               data={"version": version(page), "decision": "approve"})
    assert response.status_code == 200

    leader = sign_in("leader")
    page = leader.get(f"/items/{number}").get_data(as_text=True)
    approve = form_html(page, "approve")
    assert SUMMARY in approve and "验收报告.pdf" in approve
    assert f"/items/{number}/attachments/" in approve  # each file opens from the form
    text, bar = progress_text(page)
    assert bar.group(1) == "100" and "待领导审批" in text


def test_without_files_sent_the_request_shows_the_evidence_the_item_had(sign_in, make_item):
    number = make_item(actions=("dispatch", "accept"))
    handler = sign_in("handler")
    token = csrf_token(handler, "/")
    handler.post(f"/items/{number}/attachments", headers={**HX, "X-CSRFToken": token},
                 data={"file": (io.BytesIO(b"%PDF-1.4 plan"), "台账.pdf")}, content_type="multipart/form-data")
    page = handler.get(f"/items/{number}").get_data(as_text=True)
    response = handler.post(f"/items/{number}/actions/request_closure", headers={**HX, "X-CSRFToken": token},
                            data={"version": version(page), "comment": SUMMARY})
    assert response.status_code == 200
    review = form_html(sign_in("supervisor").get(f"/items/{number}").get_data(as_text=True), "review")
    assert SUMMARY in review and "台账.pdf" in review
