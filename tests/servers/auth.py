"""Chapter 10: with API_KEY set, every request but the health check carries
`Authorization: Bearer <key>`, or is answered 401 with a Bearer challenge.

The key comes from the environment, as the contract says; API_KEY unset
leaves the API open, as in chapters 2 to 8.
"""

import hmac
import re

from mutants import broken
from responses import ApiError

# RFC 6750 §2.1's b64token: letters, digits and - . _ ~ + /, then any `=`.
TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
CHALLENGE = 'Bearer realm="shop"'


def key_from_env(environ):
    """The key the shop demands, or None for an open API; ValueError for a bad one."""
    key = environ.get("API_KEY")
    if key is None:
        return None
    if key == "":
        raise ValueError("API_KEY is set but empty; unset it for an open API")
    if not TOKEN.fullmatch(key):
        raise ValueError("API_KEY may hold letters, digits and - . _ ~ + /, with = allowed at the end")
    return key


def is_health_check(method, path):
    if broken("auth-health-any-method"):
        return path == "/health"
    return method in ("GET", "HEAD") and path == "/health" and not broken("auth-health-needs-key")


def check(key, method, path, headers):
    """Returns when the request may go on; raises the 401 (or a mutant's answer) otherwise."""
    if key is None:
        if not broken("open-api-demands-key"):
            return
        key = ""  # a key nobody can send: every guarded request is refused
    if is_health_check(method, path):
        return
    if broken("auth-writes-open") and method not in ("GET", "HEAD"):
        return
    values = headers.get_all("Authorization") or []
    if len(values) > 1 and not broken("auth-two-headers-first-wins"):
        # RFC 9110 §5.3: a field that is not a list is sent once; RFC 6750
        # §3.1 calls a request with two credentials invalid_request, a 400.
        raise ApiError(
            400,
            "send one Authorization header: this request has more than one",
            [("WWW-Authenticate", f'{CHALLENGE}, error="invalid_request"')],
        )
    token = bearer_token(values[0] if values else None)
    if token is None:
        raise unauthorized("this endpoint needs the API key: send `Authorization: Bearer <key>`", CHALLENGE)
    if not matches(token, key):
        wrong = f'{CHALLENGE}, error="invalid_token"'
        if broken("auth-wrong-key-no-error"):
            wrong = CHALLENGE
        error = unauthorized("the API key in the Authorization header is not the right one", wrong)
        if broken("auth-wrong-key-403"):
            error.status = 403
        raise error


def bearer_token(value):
    """The token of `Bearer <token>` (the scheme in any case), or None."""
    if value is None:
        return None
    scheme, _, token = value.strip().partition(" ")
    token = token.strip()
    if broken("auth-no-scheme-accepted") and not token:
        return scheme or None
    if broken("auth-any-scheme-accepted") and token:
        return token
    if broken("auth-scheme-case-sensitive"):
        wanted = scheme == "Bearer"
    else:
        wanted = scheme.lower() == "bearer"
    return token if wanted and token else None


def matches(token, key):
    if key and broken("auth-any-token-accepted"):
        return True
    if key and broken("auth-key-prefix-accepted") and token.startswith(key):
        return True
    if token and broken("auth-key-truncated-accepted") and key.startswith(token):
        return True
    if broken("auth-key-case-insensitive"):
        return token.lower() == key.lower()
    # In constant time, so that the answer's timing tells nothing about the key.
    return hmac.compare_digest(token.encode(), key.encode())


def unauthorized(detail, challenge):
    headers = [] if broken("auth-401-no-challenge") else [("WWW-Authenticate", challenge)]
    if broken("auth-challenge-basic"):
        headers = [("WWW-Authenticate", 'Basic realm="shop"')]
    return ApiError(401, detail, headers, plain=broken("auth-401-not-problem"))
