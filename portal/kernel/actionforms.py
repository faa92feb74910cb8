"""The action forms of the item and petition pages (templates/macros/actions.html): what a form posted,
and a refusal's messages where the form shows them."""

from flask import abort, request


def posted(table, action, ignore=()):
    """The fields posted for ``action`` of ``table`` ({name: Action}), without the CSRF token and the
    names in ``ignore``; 404 for an action the table does not have."""
    if action not in table:
        abort(404)
    return {key: value for key, value in request.form.items() if key not in ("csrf_token", *ignore)}


def errors(fields, message, shown):
    """An ``Invalid``'s ``fields`` ({name: message}) as the form whose inputs are named ``shown`` shows them:
    each beside its input, the others joined above the form under ``"_form"`` (``message`` there when
    no field message stands beside an input)."""
    beside = {name: text for name, text in fields.items() if name in shown}
    others = [str(text) for name, text in fields.items() if name not in shown]
    if others or not beside:
        beside["_form"] = "；".join(others) or message
    return beside
