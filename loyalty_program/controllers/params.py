"""What the public and portal routes accept. A value that is not text (in
JSON: null, a number, a list, an object; in a form: a file) or a required
value left empty is refused with a 400 and a message a person can read,
never a traceback."""

import werkzeug.exceptions

from odoo.http import request


def all_text(params):
    """True when every value of ``params`` (a form's) is text."""
    return all(isinstance(value, str) for value in params.values())


def not_text_message(env):
    return env._(
        "Please fill in the form again: one of its fields did not arrive as text."
    )


def json_refusal(message, status=400):
    """Abort the JSON-RPC request with HTTP ``status`` and a JSON-RPC error
    carrying ``message`` (and no traceback). The request's transaction is
    rolled back: nothing it did is kept."""
    body = {
        "jsonrpc": "2.0",
        "id": getattr(request.dispatcher, "request_id", None),
        "error": {
            "code": status,
            "message": message,
            "data": {
                "name": "werkzeug.exceptions.BadRequest",
                "message": message,
                "arguments": [message],
                "context": {},
            },
        },
    }
    werkzeug.exceptions.abort(request.make_json_response(body, status=status))
