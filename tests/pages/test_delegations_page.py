"""/admin/delegations: an admin names a delegate for an absent leader; nobody else may."""

import datetime

from portal.auth.users import create_user
from portal.kernel.db import database
from tests.conftest import csrf_token


def test_an_admin_names_and_ends_a_delegate_on_the_page(app, sign_in, demo):
    with app.app_context(), database.connection_context():
        create_user("deputy", ["leader"], password="demo", department_code="office", name="副主任")
    for username in ("leader", "supervisor", "handler"):
        assert sign_in(username).get("/admin/delegations").status_code == 403
    admin = sign_in("admin")
    page = admin.get("/admin/delegations").get_data(as_text=True)
    assert "副主任 (deputy)" in page
    token = csrf_token(admin, "/admin/delegations")
    refused = admin.post("/admin/delegations", data={"leader": "leader", "delegate": "deputy", "ends": "2001-01-01",
                                                     "csrf_token": token})
    assert refused.status_code == 422 and 'id="ends-error"' in refused.get_data(as_text=True)
    ends = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    named = admin.post("/admin/delegations", data={"leader": "leader", "delegate": "deputy", "ends": ends,
                                                   "csrf_token": token})
    assert named.status_code == 303
    listing = admin.get("/admin/delegations").get_data(as_text=True)
    assert "副主任" in listing and ends in listing
