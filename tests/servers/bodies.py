"""What the client sends: ids in paths (chapter 3) and JSON bodies (chapters 4-8).

An id is a positive integer in plain ASCII digits, else 400. A body not
declared as JSON is 415, one that does not parse is 400, and JSON of the wrong
shape or with a value the rules forbid is 422, whose detail names the field.
"""

import json

from mutants import broken, broken_at
from responses import ApiError

I64_MIN, I64_MAX = -(2**63), 2**63 - 1
NAME_MAX_CHARS = 100


def _no_constants(name):
    raise ValueError(f"{name} is not JSON")


def read_json(req, check_content_type=True):
    """The body as a JSON value, or 415 / 400."""
    content_type = req.headers.get("Content-Type")
    if content_type is None and broken("no-content-type-500"):
        raise AttributeError("'NoneType' object has no attribute 'split'")
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if broken("charset-rejected") and ";" in (content_type or ""):
        media_type = content_type
    wanted = media_type == "application/json"
    if broken("text-json-accepted"):
        wanted = wanted or media_type == "text/json"
    if broken("content-type-missing-ok") and content_type is None:
        wanted = True
    if not wanted and check_content_type and not broken("content-type-ignored"):
        status = 400 if broken("content-type-415-as-400") else 415
        raise ApiError(status, f"the body must be application/json, not {content_type or 'undeclared'}")
    if broken("empty-body-is-empty-object") and not req.body.strip():
        return {}
    try:
        text = req.body.decode("utf-8")
    except UnicodeDecodeError as error:
        if broken("non-utf8-500"):
            raise RuntimeError("the body is not UTF-8") from error
        raise ApiError(400, "the body is not UTF-8 text, so it cannot be JSON") from None
    try:
        if broken("trailing-text-accepted"):
            return json.JSONDecoder(parse_constant=_no_constants).raw_decode(text.lstrip())[0]
        return json.loads(text, parse_constant=_no_constants)
    except RecursionError as error:
        if broken("deep-nesting-500"):
            raise RuntimeError("the parser ran out of stack") from error
        raise ApiError(400, "the body nests too deeply to be read") from None
    except ValueError as error:
        status = 422 if broken("malformed-json-422") else 400
        raise ApiError(status, f"the body is not valid JSON: {error}") from None


def shape_error(detail):
    """422, or 400 where a mutant mixes up shape and syntax."""
    return ApiError(400 if broken("wrong-shape-400") else 422, detail)


def require_object(value, fields, endpoint=""):
    if not isinstance(value, dict):
        if broken_at(endpoint, "non-object-body-500"):
            raise AttributeError(f"{type(value).__name__!r} object has no attribute 'get'")
        raise shape_error(f"the body must be a JSON object with {fields}")
    return value


# The value rule whose boundary i64::MAX is, per endpoint: POST /products
# shares it with every integer that has no twin here.
I64_MAX_MUTANT = {"put-price": "put-i64-max-refused"}


def integer(body, field, minimum, lax="number", null_as=None):
    """`body[field]` as an integer of at least `minimum` that fits in 64 bits.

    `lax` names the mutants that take another JSON type for this integer:
    `string-number-accepted` for POST /products' price, `string-put-price-accepted`
    for PUT's, `string-quantity-accepted` for chapter 8's quantity, and so on
    for `float`, `bool` and `null`. The `null` mutant reads null as `null_as`,
    or as the smallest value allowed, at least 0.
    """
    if field not in body:
        raise shape_error(f"{field}: missing; it is required")
    value = body[field]
    if broken(f"string-{lax}-accepted") and isinstance(value, str) and value.isdigit():
        value = int(value)
    if broken(f"float-{lax}-accepted") and isinstance(value, float) and value == value:
        value = int(value)
    if broken(f"bool-{lax}-accepted") and isinstance(value, bool):
        value = int(value)
    if broken(f"null-{lax}-accepted") and value is None:
        value = max(minimum, 0) if null_as is None else null_as
    if broken(I64_MAX_MUTANT.get(lax, "i64-max-refused")) and value == I64_MAX:
        raise shape_error(f"{field}: must be an integer that fits in 64 bits")
    if broken("huge-int-500") and type(value) is int and not I64_MIN <= value <= I64_MAX:
        raise OverflowError(f"{field} does not fit in 64 bits")
    if type(value) is int and not I64_MIN <= value <= I64_MAX:
        if broken("huge-int-called-float"):
            # What a parser that reads long integers as doubles would say.
            approx = f"{float(value):e}" if abs(value) < 10**308 else "inf"
            raise shape_error(f"{field}: invalid type: floating point `{approx}`, expected i64")
        too = "large" if value > I64_MAX else "small"
        raise shape_error(
            f"{field}: the number is too {too}: this field takes whole numbers "
            f"from {I64_MIN} to {I64_MAX}"
        )
    # bool is a subclass of int in Python, and true is not a number in JSON.
    if type(value) is not int:
        raise shape_error(f"{field}: must be an integer that fits in 64 bits")
    if value < minimum:
        raise shape_error(f"{field}: must be {minimum} or more, not {value}")
    return value


def text(body, field, endpoint=""):
    """`body[field]` as a string."""
    if field not in body:
        raise shape_error(f"{field}: missing; it is required")
    value = body[field]
    if broken_at(endpoint, "null-text-accepted") and value is None:
        value = "null"
    if broken_at(endpoint, "number-text-accepted") and type(value) in (int, float):
        value = str(value)
    if not isinstance(value, str):
        raise shape_error(f"{field}: must be a string")
    return value


def product_fields(value, check_rules=True, endpoint=""):
    """The name, price and category of a product body, checked by the rules.

    `endpoint` is "" for POST /products and "put" for PUT /products/{id}: each
    has its own mutants of the same rules (see `broken_at`).
    """
    def rule_broken(mutant_id):
        return broken_at(endpoint, mutant_id)

    body = require_object(value, "name, price_cents and category", endpoint)
    if rule_broken("category-optional"):
        body.setdefault("category", "uncategorized")
    name = text(body, "name", endpoint)
    minimum = 1 if rule_broken("zero-price-rejected") else 0
    if rule_broken("price-minus-one-accepted"):
        minimum = -1
    if rule_broken("negative-price-accepted") or not check_rules:
        minimum = I64_MIN
    lax = "put-price" if endpoint == "put" else "number"
    price_cents = integer(body, "price_cents", minimum, lax=lax)
    category = text(body, "category", endpoint)
    length = len(name.encode()) if rule_broken("name-limit-in-bytes") else len(name)
    limit = NAME_MAX_CHARS + 1 if rule_broken("name-limit-101") else NAME_MAX_CHARS
    if rule_broken("name-limit-99"):
        limit = NAME_MAX_CHARS - 1
    if not check_rules:
        return {"name": name, "price_cents": price_cents, "category": category}
    if length > limit:
        raise shape_error(f"name: must have at most {NAME_MAX_CHARS} characters, not {length}")
    if not name and not rule_broken("empty-name-accepted"):
        raise shape_error("name: must not be empty")
    if not category and not rule_broken("empty-category-accepted"):
        raise shape_error("category: must not be empty")
    return {"name": name, "price_cents": price_cents, "category": category}


def parse_id(raw, what="product"):
    """An id in a path: a positive integer in plain ASCII digits, else 400."""
    text = raw
    if broken("space-id-trimmed"):
        text = text.strip()
    if broken("exponent-id-accepted") and "e" in text:
        mantissa, _, exponent = text.partition("e")
        if mantissa.isdigit() and exponent.isdigit():
            text = str(int(mantissa) * 10 ** int(exponent))
    if broken("plus-sign-id-accepted") and text.startswith("+"):
        text = text[1:]
    if broken("negative-id-accepted") and text.startswith("-"):
        text = text[1:]
    if broken("float-id-accepted") and "." in text:
        text = text.split(".", 1)[0]
    if broken("unicode-digit-id-accepted"):
        ok = text.isdigit()
    else:
        ok = text.isascii() and text.isdigit()
    if not ok:
        status = 404 if broken("bad-id-404") else 400
        raise ApiError(status, f"{what} ids are positive integers, and {raw!r} is not one")
    value = int(text)
    if value == 0 and not broken("zero-id-accepted"):
        status = 404 if broken("bad-id-404") else 400
        raise ApiError(status, f"{what} ids start at 1, so 0 is not one")
    if raw.startswith("-"):
        value = -value
    return value
