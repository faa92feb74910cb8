"""Nothing of an item reaches someone who may not see it, not even through a related item (issue 10,
finding 12: a draft parent's title reached handlers through its dispatched child)."""


def test_a_draft_parents_title_does_not_reach_the_handler_of_its_dispatched_child(sign_in, demo):
    supervisor, handler = sign_in("supervisor"), sign_in("handler")
    parent = supervisor.post("/api/v1/items", json={"title": "机密的改制方案", "source_type": "meeting",
                                                    "lead_department": "catering"}).get_json()
    child = supervisor.post(f"/api/v1/items/{parent['number']}/children",
                            json={"title": "管线改造", "source_type": "meeting", "lead_department": "property",
                                  "deadline": parent["deadline"]}).get_json()
    supervisor.post(f"/api/v1/items/{child['number']}/actions/dispatch", json={"version": child["version"]})
    seen = handler.get(f"/api/v1/items/{child['number']}")
    assert seen.status_code == 200 and seen.get_json()["parent"] is None
    page = handler.get(f"/items/{child['number']}").get_data(as_text=True)
    assert "管线改造" in page and "机密的改制方案" not in page and parent["number"] not in page
    # The supervisor, who may see the parent, still sees the link.
    assert supervisor.get(f"/api/v1/items/{child['number']}").get_json()["parent"]["title"] == "机密的改制方案"
