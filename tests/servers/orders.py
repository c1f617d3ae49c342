"""Chapter 8: orders, made safe to retry with an Idempotency-Key header.

A mixin of `catalog.Shop`. `self.idempotency` maps each key to the body it
first came with and, once that request has finished, the response it got. A
key whose response is still None is in flight: a concurrent retry gets 409.
"""

import json
import time

from bodies import I64_MAX, I64_MIN, integer, parse_id, read_json, require_object
from mutants import RACE_PAUSE, broken
from responses import ApiError, Response, location

KEY_MAX = 255

# How a retry that finds its key's first request still in flight is answered:
# "conflict" (409, try again) or "replay" (wait for the first answer and send
# it). The contract allows both; `shop.py --in-flight` picks one.
IN_FLIGHT = "conflict"
# With `shop.py --slow-orders`, every new order stays in flight this long, so
# that concurrent retries find it there and the in-flight answer is tested.
SLOW_ORDERS = False
# The mutants of the in-flight answer, which need a first request slow enough
# to be found in flight.
INFLIGHT_MUTANTS = ["order-inflight-500", "order-inflight-409-plain", "order-inflight-202", "order-inflight-replay-200"]


def check_key(key):
    if key is None:
        if broken("order-key-optional"):
            return
        raise ApiError(400, "Idempotency-Key: missing; send a unique key so retries are safe")
    limit = KEY_MAX + 1 if broken("order-key-256-accepted") else KEY_MAX
    if broken("order-key-255-refused"):
        limit = KEY_MAX - 1
    lowest = "\x20" if broken("order-key-space-accepted") else "\x21"
    visible = all(lowest <= char <= "\x7e" for char in key)
    shortest = 0 if broken("order-empty-key-accepted") else 1
    if not shortest <= len(key) <= limit or not visible:
        raise ApiError(400, f"Idempotency-Key: must be 1 to {KEY_MAX} visible ASCII characters")


class Orders:
    def create_order(self, req):
        keys = req.headers.get_all("Idempotency-Key") or []
        if len(keys) > 1 and not broken("order-two-keys-first-wins"):
            # RFC 9110 §5.3: a field that is not a list is sent once.
            raise ApiError(400, "Idempotency-Key: send one; this request has more than one")
        key = keys[0] if keys else None
        check_key(key)
        body = require_object(read_json(req), "product_id and quantity")
        product_id = integer(body, "product_id", I64_MIN, lax="order-product-id", null_as=1)
        lowest = 0 if broken("order-quantity-zero-accepted") else 1
        if broken("order-quantity-one-refused"):
            lowest = 2
        try:
            quantity = integer(body, "quantity", lowest, lax="quantity")
        except ApiError as error:
            if broken("order-quantity-vague"):
                error.detail = "this order cannot be placed"
            raise
        fingerprint = json.dumps([product_id, quantity])
        if broken("order-retry-creates-second"):
            key = None
        if key is None:
            return self._place(product_id, quantity)
        if broken("order-race"):
            with self.lock:
                entry = self.idempotency.get(key)
            time.sleep(RACE_PAUSE)
            if entry is None:
                response = self._place(product_id, quantity)
                with self.lock:
                    self.idempotency[key] = {"fingerprint": fingerprint, "response": response}
                return response
        else:
            with self.lock:
                entry = self.idempotency.get(key)
                # A retry of the same request may wait for the first one's answer.
                waited = False
                while entry is not None and entry["response"] is None and self._waits(entry, fingerprint):
                    self.settled.wait()
                    waited = True
                    entry = self.idempotency.get(key)
                if entry is None:
                    self.idempotency[key] = {"fingerprint": fingerprint, "response": None}
            if entry is not None and waited and broken("order-inflight-replay-200"):
                return Response(200, json.loads(entry["response"].body), headers=entry["response"].headers)
        if entry is not None:
            return self._replay(key, entry, fingerprint)
        if SLOW_ORDERS or any(broken(mutant) for mutant in INFLIGHT_MUTANTS):
            time.sleep(RACE_PAUSE)  # a slow first request, so retries find it in flight
        try:
            response = self._place(product_id, quantity)
        except ApiError:
            # Nothing happened, so the key is free for a corrected request.
            with self.lock:
                if not broken("order-failed-key-stuck"):
                    del self.idempotency[key]
                self.settled.notify_all()
            raise
        with self.lock:
            self.idempotency[key]["response"] = response
            self.settled.notify_all()
        return response

    def _waits(self, entry, fingerprint):
        """Whether a retry that finds `entry` in flight waits for its answer."""
        if entry["fingerprint"] != fingerprint:
            return False  # a different body is refused at once, in flight or not
        return IN_FLIGHT == "replay" or broken("order-inflight-replay-200")

    def _place(self, product_id, quantity):
        with self.lock:
            product = self.products.get(product_id)
            if product is None:
                status = 404 if broken("order-unknown-product-404") else 422
                detail = f"product_id: there is no product {product_id} to order"
                if broken("order-unknown-product-vague"):
                    detail = "there is no such product to order"
                raise ApiError(status, detail, plain=broken("order-unknown-product-not-problem"))
            price = product["price_cents"]
            total = price * (1 if broken("order-total-ignores-quantity") else quantity)
            if total > I64_MAX:
                if broken("order-total-overflow-500"):
                    raise OverflowError("total_cents does not fit in an i64")
                raise ApiError(422, f"quantity: {quantity} times {price} cents does not fit in 64 bits")
            order_id = self.next_order_id
            self.next_order_id += 1
            order = {"id": order_id, "product_id": product_id, "quantity": quantity, "total_cents": total}
            self.orders[order_id] = order
        headers = [] if broken("order-no-location") else [("Location", location(f"/orders/{order_id}"))]
        return Response(200 if broken("order-200") else 201, dict(order), headers=headers)

    def get_order(self, req):
        try:
            order_id = parse_id(req.params["id"], what="order")
        except ApiError as error:
            if broken("order-bad-id-404"):
                error.status = 404
            raise
        with self.lock:
            order = self.orders.get(order_id)
            if order is not None:
                order = dict(order)
                if broken("order-get-recomputes-total"):
                    product = self.products.get(order["product_id"])
                    order["total_cents"] = order["quantity"] * product["price_cents"]
        if order is None and broken("order-get-unknown-500"):
            raise KeyError(order_id)
        if order is None or broken("order-get-404"):
            raise ApiError(404, f"there is no order with id {order_id}")
        return Response(200, order)

    def _replay(self, key, entry, fingerprint):
        """The answer to a retry: the first answer again, or why there is none."""
        if entry["fingerprint"] != fingerprint and not broken("order-key-reuse-accepted"):
            if broken("order-key-reuse-overwrites"):
                with self.lock:
                    self.idempotency[key] = {"fingerprint": fingerprint, "response": entry["response"]}
            raise ApiError(422, "Idempotency-Key: this key was first used with a different body")
        response = entry["response"]
        if response is None:
            if broken("order-inflight-500"):
                raise RuntimeError("the stored answer is missing")
            if broken("order-inflight-409-plain"):
                return Response(409, {"error": "still being processed"})
            if broken("order-inflight-202"):
                return Response(202)
            raise ApiError(409, "a request with this Idempotency-Key is still being processed; retry")
        body = json.loads(response.body)
        if broken("order-retry-recomputes-total"):
            with self.lock:
                product = self.products.get(body["product_id"])
                body["total_cents"] = body["quantity"] * product["price_cents"]
            return Response(response.status, body, headers=response.headers)
        if broken("order-retry-200"):
            return Response(200, body, headers=response.headers)
        if broken("order-retry-no-location"):
            return Response(response.status, body)
        return response

