"""Chapters 4 to 6: POST, PUT and DELETE on products, and POST /predictions.

A mixin of `catalog.Shop`: `self.lock` guards `self.products` and
`self.next_id`, and every check-then-change happens under one hold of it.
"""

import time

from bodies import I64_MAX, I64_MIN, integer, parse_id, product_fields, read_json, require_object
from mutants import RACE_PAUSE, broken
from responses import ApiError, Response, location as location_header


# The highest id a client may choose with PUT, 2^53 - 1: I-JSON's safe
# integers (RFC 7493 §2.2) end there. POST's own ids may go on above it, up to
# 2^64 - 1, so no PUT can use them all up.
MAX_CLIENT_ID = 2**53 - 1
MAX_SERVER_ID = 2**64 - 1


class Writes:
    # ---- Chapter 4: POST ----

    def create_product(self, req):
        body = read_json(req)
        try:
            fields = product_fields(body)
        except ApiError:
            if broken("invalid-stored-anyway") and isinstance(body, dict):
                with self.lock:
                    self.products[self.next_id] = {**body, "id": self.next_id}
                    self.next_id += 1
            raise
        client_id = body.get("id")
        if broken("post-race"):
            with self.lock:
                product_id = self.next_id
            time.sleep(RACE_PAUSE)
            product = {"id": product_id, **fields}
            with self.lock:
                self.next_id = max(self.next_id, product_id + 1)
                self.products[product_id] = product
            return created(dict(product))
        with self.lock:
            if broken("post-dedupes-identical"):
                for product in self.products.values():
                    if {k: v for k, v in product.items() if k != "id"} == fields:
                        return created(dict(product))
            if broken("post-client-id-honored") and type(client_id) is int and client_id > 0:
                product_id = client_id
            elif broken("delete-reuses-id"):
                product_id = max(self.products) + 1
            else:
                product_id = self.next_id + (1 if broken("post-id-skips") else 0)
            top = MAX_CLIENT_ID if broken("post-ids-stop-at-client-range") else MAX_SERVER_ID
            if product_id > top:
                raise ApiError(507, "every product id has been handed out")
            self.next_id = max(self.next_id, product_id + 1)
            product = {"id": product_id, **fields}
            if not broken("post-not-stored"):
                self.products[product_id] = product
        return created(dict(product))

    def predict(self, req):
        try:
            body = read_json(req, check_content_type=not broken("prediction-content-type-ignored"))
        except ApiError as error:
            if error.status == 400 and broken("prediction-malformed-json-422"):
                error.status = 422
            raise
        try:
            product_id, price_cents = prediction_fields(body)
        except ApiError as error:
            if error.status == 422 and broken("prediction-wrong-shape-400"):
                error.status = 400
            raise
        with self.lock:
            key = 1 if broken("prediction-fixed-list-price") else product_id
            product = self.products.get(key)
            list_price = product["price_cents"] if product else None
        if list_price is None:
            if broken("prediction-unknown-200"):
                return Response(200, {"product_id": product_id, "price_cents": price_cents, "predicted_units": 0})
            status = 422 if broken("prediction-unknown-422") else 404
            raise ApiError(status, f"product_id: there is no product {product_id} to predict for")
        if broken("prediction-overflow-500") and 100 * list_price > I64_MAX:
            raise OverflowError("100 * list price does not fit in an i64")
        if broken("prediction-rounded"):
            units = (200 * list_price + price_cents) // (2 * price_cents)
        else:
            units = 100 * list_price // price_cents
        status = 201 if broken("prediction-201") else 200
        units_field = "units" if broken("prediction-field-renamed") else "predicted_units"
        # Nothing was created, so there is nowhere to point a Location at.
        headers = [("Location", location_header(f"/predictions/{product_id}"))] if broken("prediction-location") else []
        body = {"product_id": product_id, "price_cents": price_cents, units_field: units}
        return Response(status, body, headers=headers)

    # ---- Chapter 5: PUT ----

    def put_product(self, req):
        try:
            product_id = parse_id(req.params["id"])
        except ApiError as error:
            if broken("put-bad-id-404"):
                error.status = 404
            raise
        if product_id > MAX_CLIENT_ID and not broken("put-huge-id-accepted"):
            raise ApiError(400, f"a client may choose product ids up to {MAX_CLIENT_ID}, and {product_id} is above that")
        if broken("put-charset-rejected") and ";" in req.headers.get("Content-Type", ""):
            raise ApiError(415, "the body must be application/json, without parameters")
        try:
            body = read_json(req, check_content_type=not broken("put-ignores-content-type"))
        except ApiError as error:
            if error.status == 400 and broken("put-malformed-json-422"):
                error.status = 422
            raise
        if broken("put-merges") and isinstance(body, dict):
            with self.lock:
                old = self.products.get(product_id)
            body = {**(old or {}), **body}
        try:
            fields = product_fields(body, check_rules=not broken("put-skips-rules"), endpoint="put")
        except ApiError:
            if broken("put-refused-creates") and isinstance(body, dict):
                with self.lock:
                    if product_id not in self.products:
                        self.products[product_id] = {**body, "id": product_id}
            raise
        if "id" in body:
            body_id = body["id"]
            same = type(body_id) is int and body_id == product_id
            if broken("put-string-id-accepted") and body_id == str(product_id):
                same = True
            if broken("put-id-mismatch-accepted"):
                same = True
            if broken("put-matching-id-rejected"):
                same = False
            if not same:
                raise ApiError(422, f"id: {body_id!r} differs from the id in the path, {product_id}")
        product = {"id": product_id, **fields}
        if broken("put-lost-update"):
            with self.lock:
                snapshot = dict(self.products)
            time.sleep(RACE_PAUSE)
            old = snapshot.get(product_id)
            snapshot[product_id] = product
            with self.lock:
                self.products = snapshot
                self.next_id = max(self.next_id, product_id + 1)
        else:
            with self.lock:
                old = self.products.get(product_id)
                if old is not None and broken("put-keeps-old-name"):
                    product["name"] = old["name"]
                if old == product and broken("put-repeat-changes-state"):
                    product["price_cents"] += 1
                self.products[product_id] = product
                if not broken("put-no-next-id-bump"):
                    self.next_id = max(self.next_id, product_id + 1)
        if old is None and broken("put-after-delete-200") and product_id in self.deleted:
            return Response(200, dict(product))
        if old is None:
            response = created(dict(product))
            if broken("put-after-delete-no-location") and product_id in self.deleted:
                response.headers = []
            if broken("put-create-200"):
                response.status = 200
            if broken("put-create-no-location"):
                response.headers = []
            return response
        shown = old if broken("put-replace-answers-old") else product
        return Response(201 if broken("put-replace-201") else 200, dict(shown))

    # ---- Chapter 6: DELETE ----

    def delete_product(self, req):
        try:
            product_id = parse_id(req.params["id"])
        except ApiError as error:
            if broken("delete-bad-id-404"):
                error.status = 404
            raise
        if broken("delete-race"):
            with self.lock:
                found = product_id in self.products
            time.sleep(RACE_PAUSE)
            with self.lock:
                self.products.pop(product_id, None)
        else:
            with self.lock:
                target = product_id + 1 if broken("delete-wrong-product") else product_id
                found = target in self.products
                if broken("delete-not-removed"):
                    pass
                elif broken("delete-still-listed") and found:
                    self.ghosts[target] = self.products.pop(target)
                else:
                    self.products.pop(target, None)
                if broken("delete-twice-204") and product_id in self.deleted:
                    found = True
                if found:
                    self.deleted.add(product_id)
        if not found:
            if broken("delete-unknown-204"):
                return Response(204)
            raise ApiError(404, f"there is no product with id {product_id} to delete")
        if broken("delete-200-with-body"):
            return Response(200, {"deleted": product_id})
        if broken("delete-204-with-body"):
            return Response(204, {"deleted": product_id})
        return Response(204)


def prediction_fields(value):
    """The product_id and price_cents of a prediction body, checked by the rules."""
    body = require_object(value, "product_id and price_cents")
    product_id = integer(body, "product_id", I64_MIN, lax="prediction-id", null_as=1)
    minimum = 2 if broken("prediction-price-one-refused") else 1
    if broken("prediction-zero-price-500"):
        minimum = 0
    if broken("prediction-negative-price-accepted"):
        minimum = I64_MIN
    price_cents = integer(body, "price_cents", minimum, lax="prediction-price")
    return product_id, price_cents


def created(product):
    """201 Created, with the product and where to find it."""
    location = f"/products/{product['id']}"
    if broken("post-location-collection"):
        location = "/products"
    if broken("post-location-wrong-id"):
        location = f"/products/{product['id'] + 1}"
    headers = [] if broken("post-no-location") else [("Location", location_header(location))]
    if broken("post-body-without-id"):
        product.pop("id")
    return Response(200 if broken("post-200") else 201, product, headers=headers)
