"""The shop's resources and its handlers, one function per endpoint.

Every handler takes the shop and a `Request`, and returns a `Response` or
raises `ApiError`. Every read and write of the shared state holds `shop.lock`,
so parallel tests never see half an update.
"""

import datetime
import threading

from bodies import parse_id
from mutants import broken
from orders import Orders
from responses import ApiError, Response
from writes import Writes

SEEDS = [
    (1, "Espresso beans 1kg", 1899, "coffee"),
    (2, "Oat milk 1l", 249, "dairy-free"),
    (3, "Paper filters x100", 399, "accessories"),
]


class Shop(Writes, Orders):
    """All the state one server holds, behind one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        # Signalled whenever an order's key settles (answered, or freed after a
        # failure), for retries that wait for the first answer (orders.py).
        self.settled = threading.Condition(self.lock)
        self.products = {}
        for product_id, name, price_cents, category in SEEDS:
            if product_id == 3 and broken("seed-price-wrong"):
                price_cents = 499
            self.products[product_id] = {
                "id": product_id,
                "name": name,
                "price_cents": price_cents,
                "category": category,
            }
        self.optimization_calls = 0
        # One more than the highest id ever assigned, by POST or by PUT.
        self.next_id = max(self.products) + 1
        self.deleted = set()  # only for the delete-twice-204 mutant
        self.ghosts = {}  # only for the delete-still-listed mutant
        self.orders = {}
        self.next_order_id = 1
        self.idempotency = {}

    # ---- Chapter 2 ----

    def health(self, req):
        status = 201 if broken("health-201") else 200
        body = {"status": "up" if broken("health-body") else "ok"}
        content_type = "text/plain" if broken("health-text-plain") else "application/json"
        return Response(status, body, content_type=content_type)

    # ---- Chapter 3 ----

    def list_products(self, req):
        category = req.query_one("category")
        with self.lock:
            everything = dict(self.products)
            if broken("delete-still-listed"):
                everything.update(self.ghosts)
            items = [dict(p) for _, p in sorted(everything.items())]
        if category is not None and not broken("filter-ignored"):
            if broken("filter-inverted"):
                items = [p for p in items if p["category"] != category]
            else:
                items = [p for p in items if matches(p["category"], category)]
            if not items and broken("filter-empty-404"):
                raise ApiError(404, f"no product has the category {category!r}")
        items = self._mutate_list(items)
        body = {"items": items} if broken("list-wrapped") else items
        content_type = "text/plain" if broken("list-text-plain") else "application/json"
        return Response(200, body, content_type=content_type)

    def _mutate_list(self, items):
        if broken("list-unsorted"):
            items = list(reversed(items))
        if broken("list-missing-seed"):
            items = [p for p in items if p["id"] != 2]
        for item in items:
            if item["id"] == 1 and broken("list-seed-price-changed"):
                item["price_cents"] = 1999
            if broken("list-field-renamed"):
                item["price"] = item.pop("price_cents")
        return items

    def get_product(self, req):
        product_id = parse_id(req.params["id"])
        if broken("get-one-wrong-product"):
            product_id += 1
        with self.lock:
            product = self.products.get(product_id)
            found = dict(product) if product else None
            if product_id == 1 and product and broken("get-mutates-product"):
                product["price_cents"] += 1
        if found is None or broken("get-one-404"):
            if broken("unknown-id-200-null"):
                return Response(200, content_type="application/json")
            if broken("unknown-id-500"):
                raise ApiError(500, "the product store failed")
            raise ApiError(404, f"there is no product with id {product_id}")
        return Response(200, {"product": found} if broken("get-one-wrapped") else found)

    def optimizations_today(self, req):
        with self.lock:
            prices = [(pid, p["price_cents"]) for pid, p in sorted(self.products.items())]
            calls_before = self.optimization_calls
            self.optimization_calls += 1
        recommendations = []
        for product_id, price in prices:
            if product_id == 2 and broken("recs-missing-one"):
                continue
            recommended = discounted(price)
            if broken("get-mutates-optimizations"):
                recommended -= calls_before
            key = "id" if broken("recs-product-id-renamed") else "product_id"
            recommendations.append({key: product_id, "price_cents": recommended})
        if broken("recs-unsorted"):
            recommendations.reverse()
        return Response(200, {"date": today(), "recommendations": recommendations})


def discounted(price_cents):
    """The day's recommended price: 90% of the price, rounded down."""
    if broken("discount-rounded-up"):
        return -(-price_cents * 9 // 10)
    if broken("discount-ten-percent"):
        return price_cents // 10
    if broken("discount-float"):
        return price_cents * 9 / 10
    return price_cents * 9 // 10


def today():
    """Today's date in UTC, YYYY-MM-DD."""
    now = datetime.datetime.now(datetime.timezone.utc)
    if broken("date-not-utc"):
        # Whichever far zone has another date than UTC right now.
        hours = -12 if now.hour < 12 else 14
        now = now + datetime.timedelta(hours=hours)
    if broken("date-wrong-format"):
        return now.strftime("%d/%m/%Y")
    return now.date().isoformat()


def matches(category, wanted):
    """`?category=` is an exact match: not by case, not by prefix."""
    if broken("filter-case-insensitive"):
        return category.lower() == wanted.lower()
    if broken("filter-prefix"):
        return category.startswith(wanted)
    return category == wanted
