"""The leader learns on the page why an extension past the parent's deadline cannot be approved."""

import datetime
import re

from portal.auth.models import User
from portal.items import actions, services
from portal.items.models import Item
from portal.kernel.db import database
from tests.conftest import csrf_token

HX = {"HX-Request": "true"}


def test_approving_past_the_parents_deadline_is_refused_beside_the_decision(app, sign_in, make_item):
    parent_number = make_item(title="供暖接入市网", lead="catering")
    today = datetime.date.today()
    with app.test_request_context(), database.connection_context():
        supervisor, handler = User.get(User.username == "supervisor"), User.get(User.username == "handler")
        parent = services.get_visible(supervisor, parent_number)
        child = services.add_child(supervisor, parent, {"title": "管线改造", "lead_department": "property",
                                                        "source_type": "meeting",
                                                        "deadline": (today + datetime.timedelta(days=10)).isoformat()})
        for user, action, data in ((supervisor, "dispatch", {}), (handler, "accept", {}),
                                   (handler, "request_extension",
                                    {"new_deadline": (today + datetime.timedelta(days=25)).isoformat(),
                                     "comment": "施工延期"})):
            child = Item.get_by_id(child.id)
            actions.perform(user, child, action, {"version": child.version, **data})
        Item.update(deadline=today + datetime.timedelta(days=20)).where(Item.id == parent.id).execute()
    leader = sign_in("leader")
    html = leader.get(f"/items/{child.number}").get_data(as_text=True)
    response = leader.post(f"/items/{child.number}/actions/decide_extension", headers=HX, data={
        "version": re.search(r'name="version" value="(\d+)"', html).group(1),
        "decision": "approve", "comment": "同意",
        "csrf_token": csrf_token(leader, "/")})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    # The refusal stands in the decision's form, right above the decision (the requested date is not an input).
    form = body[body.index('id="form-decide_extension"'):]
    form = form[:form.index("</form>")]
    assert re.search(r'<div class="alert alert-error" role="alert">[^<]*晚于上级事项的办理期限', form)
    assert form.index("alert-error") < form.index('name="decision"')
