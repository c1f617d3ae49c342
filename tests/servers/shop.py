#!/usr/bin/env python3
"""The restlings shop, written again in Python with the standard library only.

It follows the course contract (book/src/, chapters 2 onwards) without
sharing a line with the Rust solutions, to prove that the chapters' tests
check the contract and not one implementation of it:

    python3 tests/servers/shop.py --port 0
    RESTLINGS_BASE_URL=http://127.0.0.1:PORT cargo test -p sol03_get

Chapter 10's key comes from the environment, as the contract says:
`API_KEY=<key> python3 tests/servers/shop.py`, then the tests with
`RESTLINGS_API_KEY=<key>`.

`--break ID` breaks exactly one contract line (see mutants.py), and
`--list-mutants` prints them. `tests/url_mode.rs` runs both.
"""

import argparse
import os
import sys

# Keep tests/servers/ free of __pycache__ folders: this file runs from a checkout.
sys.dont_write_bytecode = True

import threading  # noqa: E402
import traceback  # noqa: E402
import urllib.parse  # noqa: E402
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: E402

import auth  # noqa: E402
from catalog import Shop  # noqa: E402
from mutants import MUTANTS, broken, set_broken  # noqa: E402
import orders  # noqa: E402
import responses  # noqa: E402
from responses import ApiError, Response, error_response  # noqa: E402

MAX_BODY = 65_536
# A too-large body up to this size is read and dropped, so the connection
# stays usable; a bigger one gets its 413 and the connection is closed.
DRAIN_LIMIT = 16 * 1024 * 1024

METHOD_ORDER = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]

# Per endpoint, the mutant that labels its JSON success body text/plain
# (/health and /products have mutants of their own in their handlers).
TEXT_PLAIN = {
    (("products", "{id}"), "GET"): "get-one-text-plain",
    (("optimizations", "today"), "GET"): "optimizations-text-plain",
    (("products",), "POST"): "post-text-plain",
    (("predictions",), "POST"): "prediction-text-plain",
    (("products", "{id}"), "PUT"): "put-text-plain",
    (("orders",), "POST"): "order-text-plain",
    (("orders", "{id}"), "GET"): "order-get-text-plain",
}


def routes(shop):
    """Path patterns and the handler of each method. `{x}` matches one segment."""
    optimizations = {"GET": shop.optimizations_today}
    if broken("optimizations-writable"):
        optimizations["POST"] = shop.optimizations_today
    return [
        (("health",), {"GET": shop.health}),
        (("products",), {"GET": shop.list_products, "POST": shop.create_product}),
        (("products", "{id}"), {"GET": shop.get_product, "PUT": shop.put_product, "DELETE": shop.delete_product}),
        (("optimizations", "today"), optimizations),
        (("predictions",), {"POST": shop.predict}),
        (("orders",), {"POST": shop.create_order}),
        (("orders", "{id}"), {"GET": shop.get_order}),
    ]


class Request:
    def __init__(self, method, params, query, headers, body):
        self.method = method
        self.params = params
        self.query = query
        self.headers = headers
        self.body = body

    def query_one(self, name):
        values = self.query.get(name)
        return values[0] if values else None


def match(patterns, path):
    """The pattern and handlers that `path` names, with its parameters."""
    if broken("path-case-insensitive"):
        path = path.lower()
    segments = path.split("/")[1:]
    # Longest patterns first, so that the prefix mutant still prefers exact routes.
    for pattern, handlers in sorted(patterns, key=lambda entry: -len(entry[0])):
        if len(segments) != len(pattern):
            if not (broken("path-prefix") and len(segments) > len(pattern)):
                continue
        params = {}
        for want, got in zip(pattern, segments, strict=False):
            if want.startswith("{"):
                raw = urllib.parse.unquote_to_bytes(got)
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError:
                    if broken("non-utf8-id-500"):
                        raise
                    if broken("non-utf8-id-404"):
                        break
                # Bytes that are not UTF-8 become U+FFFD, which no id has: 400.
                params[want[1:-1]] = urllib.parse.unquote(got)
            elif want != got:
                break
        else:
            return pattern, handlers, params
    return None


def allowed(handlers):
    methods = set(handlers)
    if "GET" in methods:
        methods.add("HEAD")
    return [m for m in METHOD_ORDER if m in methods]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle on, the body would
    # wait for the client's delayed ACK, 40 ms per response.
    disable_nagle_algorithm = True
    server_version = "restlings-shop-py/1.0"
    verbose = False

    def log_message(self, format, *args):  # noqa: A002 (the base class names it so)
        if self.verbose:
            sys.stderr.write("%s %s\n" % (self.address_string(), format % args))

    def dispatch(self):
        try:
            body = self.read_body()
            response = self.respond(body)
        except ApiError as error:
            response = error_response(error)
        except Exception:  # a bug here must never take the server down
            traceback.print_exc(file=sys.stderr)
            response = error_response(ApiError(500, "the server failed; see its log"))
        self.write(response)

    def respond(self, body):
        url = urllib.parse.urlsplit(self.path)
        if not broken("auth-after-routing"):
            auth.check(self.server.api_key, self.command, url.path, self.headers)
        found = match(self.server.routes, url.path)
        if found is None:
            if broken("unknown-path-200"):
                return Response(200)
            raise ApiError(404, f"no endpoint has the path {url.path}")
        pattern, handlers, params = found
        method = self.command
        head_ok = pattern == ("health",) or not broken("head-only-health")
        if method == "HEAD" and "GET" in handlers and head_ok:
            handler = handlers["GET"]
        else:
            handler = handlers.get(method)
        if broken("auth-after-routing"):
            auth.check(self.server.api_key, method, url.path, self.headers)
        if handler is None:
            allow = allowed(handlers)
            if broken("405-as-404"):
                raise ApiError(404, f"no endpoint answers {method} {url.path}")
            if broken("allow-wrong-methods"):
                allow = [m for m in METHOD_ORDER if m not in allow]
            if broken("allow-includes-rejected"):
                allow = allow + [method]
            headers = [] if broken("405-no-allow") else [("Allow", ", ".join(allow))]
            detail = f"{url.path} does not support {method}; it supports {', '.join(allowed(handlers))}"
            raise ApiError(405, detail, headers)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        response = handler(Request(method, params, query, self.headers, body))
        mutant = TEXT_PLAIN.get((pattern, "GET" if method == "HEAD" else method))
        if mutant and broken(mutant) and response.content_type == "application/json":
            response.content_type = "text/plain; charset=utf-8"
        return response

    def read_body(self):
        """The whole request body, read off the connection so keep-alive stays in step."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self.read_chunked()
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        if not (length.strip().isascii() and length.strip().isdigit()):
            self.close_connection = True
            raise ApiError(400, "Content-Length must be a number of bytes")
        size = int(length)
        limit = MAX_BODY - 1 if broken("body-limit-off-by-one") else MAX_BODY
        if size > limit and not broken("no-body-limit"):
            if size > DRAIN_LIMIT or broken("413-without-draining"):
                self.close_connection = not broken("413-without-draining")
            else:
                self.drain(size)
            raise ApiError(413, f"the body has {size} bytes; the most this service reads is {MAX_BODY}")
        return self.rfile.read(size)

    def drain(self, size):
        while size > 0:
            chunk = self.rfile.read(min(size, 65_536))
            if not chunk:
                break
            size -= len(chunk)

    def read_chunked(self):
        body = bytearray()
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                self.close_connection = True
                raise ApiError(400, "the chunked body is malformed") from None
            if size == 0:
                while self.rfile.readline(1024).strip():
                    pass  # trailer fields
                break
            if len(body) + size > DRAIN_LIMIT:
                self.close_connection = True
                raise ApiError(413, f"the body is over {MAX_BODY} bytes")
            body += self.rfile.read(size)
            self.rfile.readline(1024)
        if len(body) > MAX_BODY and not broken("no-body-limit"):
            raise ApiError(413, f"the body has {len(body)} bytes; the most this service reads is {MAX_BODY}")
        return bytes(body)

    def write(self, response):
        head = self.command == "HEAD"
        status = response.status
        if head and status == 200 and broken("head-status-differs"):
            status = 204
        self.send_response(status)
        content_type = response.content_type
        if head and broken("head-content-type-differs"):
            content_type = None
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if not head or broken("head-with-body"):
            self.wfile.write(response.body)
        self.wfile.flush()
        if status == 413 and broken("413-stops-server"):
            os._exit(1)

    def send_error(self, code, message=None, explain=None):
        """Errors http.server finds itself (a malformed request line) as problem details."""
        self.close_connection = True
        self.write(error_response(ApiError(code, message or explain or "malformed request")))


for _method in METHOD_ORDER:
    setattr(Handler, "do_" + _method, Handler.dispatch)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    # Tests open many connections at once; the default backlog of 5 drops SYNs.
    request_queue_size = 256


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument("--break", dest="mutant", metavar="ID", help="break one contract line")
    parser.add_argument("--list-mutants", action="store_true", help="print id, chapter, line")
    parser.add_argument("--exit-on-stdin-eof", action="store_true",
                        help="stop when stdin closes, so a killed test leaves no server behind")
    parser.add_argument("--verbose", action="store_true", help="log each request to stderr")
    parser.add_argument("--absolute-locations", action="store_true",
                        help="answer Location: http://127.0.0.1:PORT/... instead of /...")
    parser.add_argument("--in-flight", choices=["conflict", "replay"], default="conflict",
                        help="a retry whose first request is still in flight gets 409 (conflict), "
                             "or waits and gets the first answer (replay); both follow chapter 8")
    parser.add_argument("--slow-orders", action="store_true",
                        help="keep each new order in flight for 0.2 s, so that retries find it there")
    args = parser.parse_args(argv)

    if args.list_mutants:
        for mutant_id, (chapter, line) in MUTANTS.items():
            print(f"{mutant_id}\t{chapter}\t{line}")
        return 0
    try:
        set_broken(args.mutant)
    except KeyError:
        print(f"no mutant {args.mutant!r}; see --list-mutants", file=sys.stderr)
        return 2

    # Chapter 10: with API_KEY set, every request but the health check needs it.
    try:
        api_key = auth.key_from_env(os.environ)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1

    Handler.verbose = args.verbose
    orders.IN_FLIGHT = args.in_flight
    orders.SLOW_ORDERS = args.slow_orders
    server = Server(("127.0.0.1", args.port), Handler)
    server.routes = routes(Shop())
    server.api_key = api_key
    if args.absolute_locations:
        responses.LOCATION_BASE = f"http://127.0.0.1:{server.server_address[1]}"
    if args.exit_on_stdin_eof:
        threading.Thread(target=wait_for_eof, args=(server,), daemon=True).start()
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def wait_for_eof(server):
    while sys.stdin.buffer.read(4096):
        pass
    threading.Thread(target=server.shutdown, daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
