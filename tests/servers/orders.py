"""Chapter 8: orders, made safe to retry with an Idempotency-Key header.

A mixin of `catalog.Shop`. `self.idempotency` maps each key to the body it
first came with and, once that request has finished, the response it got. A
key whose response is still None is in flight: a concurrent retry gets 409.
"""

import json
import time

from bodies import I64_MIN, integer, parse_id, read_json, require_object
from mutants import broken
from responses import ApiError, Response

KEY_MAX = 255
RACE_PAUSE = 0.01


def check_key(key):
    if key is None:
        if broken("order-key-optional"):
            return
        raise ApiError(400, "Idempotency-Key: missing; send a unique key so retries are safe")
    limit = KEY_MAX + 1 if broken("order-key-256-accepted") else KEY_MAX
    visible = all("\x21" <= char <= "\x7e" for char in key)
    if not 1 <= len(key) <= limit or not visible:
        raise ApiError(400, f"Idempotency-Key: must be 1 to {KEY_MAX} visible ASCII characters")


class Orders:
    def create_order(self, req):
        key = req.headers.get("Idempotency-Key")
        check_key(key)
        body = require_object(read_json(req), "product_id and quantity")
        product_id = integer(body, "product_id", I64_MIN)
        quantity = integer(body, "quantity", 0 if broken("order-quantity-zero-accepted") else 1)
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
                if entry is None:
                    self.idempotency[key] = {"fingerprint": fingerprint, "response": None}
        if entry is not None:
            return replay(entry, fingerprint)
        try:
            response = self._place(product_id, quantity)
        except ApiError:
            # Nothing happened, so the key is free for a corrected request.
            with self.lock:
                del self.idempotency[key]
            raise
        with self.lock:
            self.idempotency[key]["response"] = response
        return response

    def _place(self, product_id, quantity):
        with self.lock:
            product = self.products.get(product_id)
            if product is None:
                status = 404 if broken("order-unknown-product-404") else 422
                raise ApiError(status, f"product_id: there is no product {product_id} to order")
            order_id = self.next_order_id
            self.next_order_id += 1
            price = product["price_cents"]
            if broken("order-total-ignores-quantity"):
                quantity_for_total = 1
            else:
                quantity_for_total = quantity
            order = {
                "id": order_id,
                "product_id": product_id,
                "quantity": quantity,
                "total_cents": quantity_for_total * price,
            }
            self.orders[order_id] = order
        headers = [] if broken("order-no-location") else [("Location", f"/orders/{order_id}")]
        return Response(200 if broken("order-200") else 201, dict(order), headers=headers)

    def get_order(self, req):
        order_id = parse_id(req.params["id"], what="order")
        with self.lock:
            order = self.orders.get(order_id)
        if order is None or broken("order-get-404"):
            raise ApiError(404, f"there is no order with id {order_id}")
        return Response(200, dict(order))


def replay(entry, fingerprint):
    """The answer to a retry: the first answer again, or why there is none."""
    if entry["fingerprint"] != fingerprint and not broken("order-key-reuse-accepted"):
        raise ApiError(422, "Idempotency-Key: this key was first used with a different body")
    response = entry["response"]
    if response is None:
        raise ApiError(409, "a request with this Idempotency-Key is still being processed; retry")
    if broken("order-retry-200"):
        return Response(200, json.loads(response.body), headers=response.headers)
    if broken("order-retry-no-location"):
        return Response(response.status, json.loads(response.body))
    return response
