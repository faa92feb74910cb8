"""An optional upload is not marked as required (issue 20, point 14): the item's side upload."""

import re


def _label(html, field_id):
    return re.search(rf'<label for="{field_id}">(.*?)</label>', html, re.S).group(1)


def test_the_items_side_upload_is_not_marked_required(sign_in, make_item):
    number = make_item(actions=("dispatch", "accept"))
    html = sign_in("handler").get(f"/items/{number}").get_data(as_text=True)
    label = _label(html, "attach-file")
    assert "添加附件" in label and 'class="required"' not in label and "*" not in label
    assert not re.search(r'<input type="file" id="attach-file"[^>]* required', html)


def test_a_required_field_keeps_its_marker(sign_in, make_item):
    number = make_item(actions=("dispatch", "accept"))
    html = sign_in("handler").get(f"/items/{number}").get_data(as_text=True)
    assert 'class="required"' in _label(html, "report-comment")  # 进展情况 is required
