"""What a handler answers: a `Response`, or an `ApiError` sent as problem details."""

import json
from http import HTTPStatus

from mutants import broken


# Where `location()` points: "" for relative references (`/products/4`), or
# the server's own origin when shop.py runs with `--absolute-locations`, as a
# FastAPI app that uses `request.url_for(...)` answers. RFC 9110 §10.2.2
# allows both, and the chapters' tests must accept both.
LOCATION_BASE = ""


def location(path):
    """The Location header value for `path` on this server."""
    return LOCATION_BASE + path


class ApiError(Exception):
    """A 4xx or 5xx answer, sent as a problem details document (RFC 9457)."""

    def __init__(self, status, detail, headers=None, plain=False):
        super().__init__(detail)
        self.status = int(status)
        self.detail = detail
        self.headers = headers or []
        # Only for mutants: sent as {"error": detail} in application/json.
        self.plain = plain


class Response:
    """A status, some headers and a body; `json_body` is encoded on the way out."""

    def __init__(self, status=200, json_body=None, raw=b"", content_type=None, headers=None):
        self.status = int(status)
        self.headers = list(headers or [])
        if json_body is not None or content_type == "application/json":
            self.body = encode(json_body)
            self.content_type = content_type or "application/json"
        else:
            self.body = raw
            self.content_type = content_type


def encode(value):
    return json.dumps(value, separators=(",", ":")).encode()


# The field a 422 names, swapped for another by the `problem-422-wrong-field` mutant.
OTHER_FIELD = {
    "name": "category",
    "category": "price_cents",
    "price_cents": "name",
    "product_id": "quantity",
    "quantity": "product_id",
    "id": "name",
}

# Per-status mutants: that one status falls back to a plain JSON error.
AS_JSON = {
    400: "problem-400-as-json",
    404: "problem-404-as-json",
    405: "problem-405-as-json",
    413: "problem-413-as-json",
    415: "problem-415-as-json",
    422: "problem-422-as-json",
}


def error_response(error):
    """The problem details document (RFC 9457) for `error`."""
    status, detail = error.status, error.detail
    if error.plain:
        return Response(status, {"error": detail}, headers=error.headers)
    if status == 422 and broken("problem-422-vague"):
        detail = "invalid input"
    if status == 422 and broken("problem-422-wrong-field"):
        field, sep, rest = detail.partition(":")
        detail = OTHER_FIELD.get(field, field) + sep + rest
    if status == 404 and broken("problem-404-route-plain") and detail.startswith("no endpoint"):
        return Response(404, raw=b"", content_type="text/plain; charset=utf-8")
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail}
    if broken("problem-no-title"):
        del body["title"]
    if broken("problem-no-detail"):
        del body["detail"]
    if broken("problem-status-string"):
        body["status"] = str(status)
    if broken("problem-status-always-400"):
        body["status"] = 400
    content_type = "application/problem+json"
    if broken("problem-as-json") or (status in AS_JSON and broken(AS_JSON[status])):
        content_type = "application/json"
    headers = error.headers
    if status == 405 and broken("problem-405-drops-allow"):
        headers = []
    return Response(status, raw=encode(body), content_type=content_type, headers=headers)
