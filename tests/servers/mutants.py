"""The mutants of the reference shop: one broken contract line each.

`python3 shop.py --break ID` starts the shop with exactly one of these lines
broken. `tests/url_mode.rs` runs each chapter's tests against every mutant of
that chapter and expects them to fail: a mutant that survives is a contract
line no test checks.

Each entry is `id: (chapter, the contract line it breaks)`.
"""

MUTANTS = {
    # Chapter 2: endpoints
    "health-201": ("02_endpoints", "GET /health answers 201 instead of 200"),
    "health-body": ("02_endpoints", 'GET /health answers {"status": "up"} instead of {"status": "ok"}'),
    "health-text-plain": ("02_endpoints", "GET /health says Content-Type: text/plain"),
    "unknown-path-200": ("02_endpoints", "an unknown path answers 200 with an empty body instead of 404"),
    "path-case-insensitive": ("02_endpoints", "paths match case-insensitively (/HEALTH answers like /health)"),
    "path-prefix": ("02_endpoints", "/health/extra answers like /health (prefix match)"),
    "405-as-404": ("02_endpoints", "a known path with an unsupported method answers 404 instead of 405"),
    "405-no-allow": ("02_endpoints", "a 405 carries no Allow header"),
    "allow-wrong-methods": ("02_endpoints", "Allow lists the methods the path does NOT support"),
    "allow-includes-rejected": ("02_endpoints", "Allow also lists the method that was just rejected"),
    "head-with-body": ("02_endpoints", "HEAD sends the GET body along"),
    "head-status-differs": ("02_endpoints", "HEAD answers 204 where GET answers 200"),
    "head-content-type-differs": ("02_endpoints", "HEAD answers without the Content-Type GET has"),
    # Chapter 3: GET
    "head-only-health": ("03_get", "HEAD works on /health only; other GET routes answer 405"),
    "list-unsorted": ("03_get", "GET /products lists products in descending id order"),
    "list-missing-seed": ("03_get", "GET /products leaves out seed 2"),
    "list-seed-price-changed": ("03_get", "GET /products shows seed 1 at 1999 instead of 1899"),
    "list-field-renamed": ("03_get", 'GET /products names the field "price" instead of "price_cents"'),
    "list-wrapped": ("03_get", 'GET /products answers {"items": [...]} instead of a bare array'),
    "list-text-plain": ("03_get", "GET /products says Content-Type: text/plain"),
    "seed-price-wrong": ("03_get", "seed 3 is stored at 499 cents instead of 399"),
    "filter-ignored": ("03_get", "?category=X is ignored: every product comes back"),
    "filter-inverted": ("03_get", "?category=X keeps every product except category X"),
    "filter-empty-404": ("03_get", "a category filter that matches nothing answers 404 instead of []"),
    "get-one-404": ("03_get", "GET /products/{id} answers 404 for an existing product"),
    "get-one-wrong-product": ("03_get", "GET /products/{id} answers the product with the next id"),
    "get-one-wrapped": ("03_get", 'GET /products/{id} answers {"product": {...}}'),
    "unknown-id-200-null": ("03_get", "an id that names no product answers 200 with null"),
    "unknown-id-500": ("03_get", "an id that names no product answers 500"),
    "bad-id-404": ("03_get", "an id that is not a positive integer answers 404 instead of 400"),
    "zero-id-accepted": ("03_get", 'the id "0" is taken as well-formed (404 instead of 400)'),
    "negative-id-accepted": ("03_get", 'the id "-1" is taken as well-formed (404 instead of 400)'),
    "float-id-accepted": ("03_get", 'the id "1.5" is read as 1'),
    "plus-sign-id-accepted": ("03_get", 'the id "+1" is read as 1 (not plain digits)'),
    "unicode-digit-id-accepted": ("03_get", 'the id "\\u0661" (Arabic-Indic one) is read as 1 (not ASCII digits)'),
    "discount-rounded-up": ("03_get", "the recommended price is rounded up instead of down"),
    "discount-ten-percent": ("03_get", "the recommended price is 10% of the price instead of 90%"),
    "discount-float": ("03_get", "the recommended price is a float (1709.1) instead of an integer"),
    "recs-unsorted": ("03_get", "recommendations come in descending product_id order"),
    "recs-missing-one": ("03_get", "the recommendation for product 2 is missing"),
    "recs-product-id-renamed": ("03_get", 'recommendations name the field "id" instead of "product_id"'),
    "date-wrong-format": ("03_get", "the date is written DD/MM/YYYY instead of YYYY-MM-DD"),
    "date-not-utc": ("03_get", "the date is taken in a far time zone (UTC-12 or UTC+14) instead of UTC"),
    "get-mutates-product": ("03_get", "each GET /products/1 raises product 1's price by one cent"),
    "get-mutates-optimizations": ("03_get", "each GET /optimizations/today lowers the discount a little"),
}

_broken = None


def set_broken(mutant_id):
    """Breaks the contract line `mutant_id` for the rest of the process."""
    global _broken
    if mutant_id is not None and mutant_id not in MUTANTS:
        raise KeyError(mutant_id)
    _broken = mutant_id


def broken(mutant_id):
    """True when `mutant_id` is the line this process breaks.

    A misspelt id fails loudly rather than silently never breaking anything.
    """
    if mutant_id not in MUTANTS:
        raise KeyError(f"no mutant named {mutant_id!r}: add it to MUTANTS")
    return _broken == mutant_id
