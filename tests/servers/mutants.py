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
    # Chapter 4: POST
    "post-200": ("04_post", "POST /products answers 200 instead of 201"),
    "post-no-location": ("04_post", "a 201 from POST /products has no Location header"),
    "post-location-collection": ("04_post", "Location points at /products instead of /products/{id}"),
    "post-location-wrong-id": ("04_post", "Location points at /products/{id + 1}"),
    "post-body-without-id": ("04_post", "the created product comes back without its id"),
    "post-not-stored": ("04_post", "POST answers 201 but stores nothing"),
    "post-client-id-honored": ("04_post", 'an integer "id" in the POST body is used as the new id'),
    "post-dedupes-identical": ("04_post", "a second identical POST answers the first product instead of creating one"),
    "post-id-skips": ("04_post", "a new id is two more than the highest id ever assigned, not one"),
    "malformed-json-422": ("04_post", "JSON that does not parse answers 422 instead of 400"),
    "empty-body-is-empty-object": ("04_post", "an empty body is read as {} (422) instead of malformed JSON (400)"),
    "content-type-ignored": ("04_post", "the Content-Type is not checked: any body that parses is accepted"),
    "content-type-missing-ok": ("04_post", "a body without Content-Type is read as JSON instead of 415"),
    "content-type-415-as-400": ("04_post", "a body not declared as JSON answers 400 instead of 415"),
    "text-json-accepted": ("04_post", "Content-Type: text/json is accepted as JSON"),
    "charset-rejected": ("04_post", "application/json; charset=utf-8 answers 415"),
    "wrong-shape-400": ("04_post", "a missing field or a wrong type answers 400 instead of 422"),
    "string-number-accepted": ("04_post", 'a number sent as a string ("100") is accepted'),
    "float-number-accepted": ("04_post", "a number with a fraction (12.5) is truncated and accepted"),
    "category-optional": ("04_post", "a missing category defaults to \"uncategorized\" instead of 422"),
    "empty-name-accepted": ("04_post", "an empty name is accepted"),
    "name-limit-101": ("04_post", "a name of 101 characters is accepted"),
    "name-limit-99": ("04_post", "a name of exactly 100 characters is refused"),
    "name-limit-in-bytes": ("04_post", "the 100-character limit counts UTF-8 bytes instead of characters"),
    "negative-price-accepted": ("04_post", "a negative price is accepted"),
    "zero-price-rejected": ("04_post", "a price of 0 is refused"),
    "empty-category-accepted": ("04_post", "an empty category is accepted"),
    "invalid-stored-anyway": ("04_post", "an invalid product answers 422 but is stored all the same"),
    "prediction-201": ("04_post", "POST /predictions answers 201 instead of 200"),
    "prediction-rounded": ("04_post", "predicted_units is rounded to nearest instead of down"),
    "prediction-fixed-list-price": ("04_post", "predictions use product 1's price whatever the product_id"),
    "prediction-overflow-500": ("04_post", "100 * a huge list price overflows 64 bits and answers 500"),
    "prediction-unknown-200": ("04_post", "a prediction for an unknown product answers 200 with 0 units"),
    "prediction-unknown-422": ("04_post", "a prediction for an unknown product answers 422 instead of 404"),
    "prediction-zero-price-500": ("04_post", "a prediction at price 0 divides by zero: 500 instead of 422"),
    "prediction-field-renamed": ("04_post", 'a prediction names its result "units" instead of "predicted_units"'),
    "prediction-negative-price-accepted": ("04_post", "a prediction at a negative price answers 200"),
    # Chapter 5: PUT
    "put-create-200": ("05_put", "a PUT that creates answers 200 instead of 201"),
    "put-create-no-location": ("05_put", "a PUT that creates has no Location header"),
    "put-replace-201": ("05_put", "a PUT that replaces answers 201 instead of 200"),
    "put-replace-answers-old": ("05_put", "a PUT that replaces answers the old product instead of the stored one"),
    "put-merges": ("05_put", "PUT fills missing fields from the stored product (a merge) instead of 422"),
    "put-keeps-old-name": ("05_put", "a PUT that replaces keeps the old name"),
    "put-repeat-changes-state": ("05_put", "repeating the same PUT raises the price by a cent (not idempotent)"),
    "put-id-mismatch-accepted": ("05_put", 'an "id" in the body that differs from the path is accepted'),
    "put-matching-id-rejected": ("05_put", 'an "id" in the body equal to the path id answers 422'),
    "put-skips-rules": ("05_put", "PUT skips the value rules (empty name, negative price, ...)"),
    "put-ignores-content-type": ("05_put", "PUT accepts a body not declared as JSON"),
    "put-no-next-id-bump": ("05_put", "an id assigned by PUT does not move the next POST id past it"),
    # Chapter 6: DELETE
    "delete-200-with-body": ("06_delete", "DELETE answers 200 with a body instead of 204"),
    "delete-204-with-body": ("06_delete", "DELETE answers 204 but sends a body"),
    "delete-twice-204": ("06_delete", "a second DELETE answers 204 again instead of 404"),
    "delete-not-removed": ("06_delete", "DELETE answers 204 but the product stays"),
    "delete-still-listed": ("06_delete", "a deleted product is gone from GET /products/{id} but still listed"),
    "delete-wrong-product": ("06_delete", "DELETE /products/{id} removes the product with the next id"),
    "delete-unknown-204": ("06_delete", "deleting a product that never existed answers 204"),
    "delete-bad-id-404": ("06_delete", "DELETE with an id that is not a positive integer answers 404 instead of 400"),
    "delete-reuses-id": ("06_delete", "a new id is one more than the highest id that still exists, so ids are reused"),
    "delete-race": ("06_delete", "DELETE checks and removes in two steps, so two DELETEs can both answer 204"),
    "post-race": ("06_delete", "POST picks the id and stores in two steps, so concurrent POSTs share an id"),
    "put-lost-update": ("06_delete", "PUT copies the catalogue and writes it back, losing concurrent writes"),
    # Chapter 7: problem details
    "problem-as-json": ("07_problem_details", "every error says Content-Type: application/json"),
    "problem-400-as-json": ("07_problem_details", "400 errors say Content-Type: application/json"),
    "problem-404-as-json": ("07_problem_details", "404 errors say Content-Type: application/json"),
    "problem-405-as-json": ("07_problem_details", "405 errors say Content-Type: application/json"),
    "problem-413-as-json": ("07_problem_details", "413 errors say Content-Type: application/json"),
    "problem-415-as-json": ("07_problem_details", "415 errors say Content-Type: application/json"),
    "problem-422-as-json": ("07_problem_details", "422 errors say Content-Type: application/json"),
    "problem-404-route-plain": ("07_problem_details", "an unknown route answers 404 with an empty text/plain body"),
    "problem-no-title": ("07_problem_details", 'problems have no "title"'),
    "problem-no-detail": ("07_problem_details", 'problems have no "detail"'),
    "problem-status-string": ("07_problem_details", 'the "status" member is a string ("404")'),
    "problem-status-always-400": ("07_problem_details", 'the "status" member is 400 whatever the HTTP status'),
    "problem-422-vague": ("07_problem_details", 'a 422\'s detail says "invalid input" without naming the field'),
    "problem-422-wrong-field": ("07_problem_details", "a 422's detail names another field than the wrong one"),
    "problem-405-drops-allow": ("07_problem_details", "a 405 problem loses its Allow header"),
    "no-body-limit": ("07_problem_details", "bodies over 64 KiB are read and accepted"),
    "body-limit-off-by-one": ("07_problem_details", "a body of exactly 65536 bytes answers 413"),
    "413-without-draining": ("07_problem_details", "a 413 leaves the unread body on a kept-alive connection"),
    "413-stops-server": ("07_problem_details", "after answering 413 the server exits"),
    "no-content-type-500": ("07_problem_details", "a body without Content-Type crashes the handler: 500"),
    "deep-nesting-500": ("07_problem_details", "deeply nested JSON exhausts the parser's stack: 500"),
    "non-utf8-500": ("07_problem_details", "a body that is not UTF-8 answers 500"),
    "huge-int-500": ("07_problem_details", "an integer over 64 bits answers 500"),
    # Chapter 8: Idempotency-Key
    "order-200": ("08_idempotency_key", "POST /orders answers 200 instead of 201"),
    "order-no-location": ("08_idempotency_key", "a created order has no Location header"),
    "order-total-ignores-quantity": ("08_idempotency_key", "total_cents is the price of one, whatever the quantity"),
    "order-unknown-product-404": ("08_idempotency_key", "an order for an unknown product answers 404 instead of 422"),
    "order-quantity-zero-accepted": ("08_idempotency_key", "an order of quantity 0 is accepted"),
    "order-key-optional": ("08_idempotency_key", "an order without Idempotency-Key is accepted instead of 400"),
    "order-key-space-accepted": ("08_idempotency_key", "an Idempotency-Key with a space is accepted"),
    "order-empty-key-accepted": ("08_idempotency_key", "an empty Idempotency-Key is accepted"),
    "order-key-256-accepted": ("08_idempotency_key", "an Idempotency-Key of 256 characters is accepted"),
    "order-retry-creates-second": ("08_idempotency_key", "a retry with the same key creates a second order"),
    "order-retry-200": ("08_idempotency_key", "a retry answers 200 instead of the first answer's 201"),
    "order-retry-no-location": ("08_idempotency_key", "a retry answers without the first answer's Location"),
    "order-key-reuse-accepted": ("08_idempotency_key", "the same key with a different body replays the first answer instead of 422"),
    "order-key-reuse-overwrites": ("08_idempotency_key", "a refused reuse of a key (422) replaces the body the key is bound to"),
    "order-failed-key-stuck": ("08_idempotency_key", "a first attempt that fails leaves its key in flight, so retries get 409 forever"),
    "order-retry-recomputes-total": ("08_idempotency_key", "a retry recomputes total_cents at today's price instead of replaying"),
    "order-get-recomputes-total": ("08_idempotency_key", "GET /orders/{id} recomputes total_cents at today's price"),
    "order-total-overflow-500": ("08_idempotency_key", "a total over 64 bits answers 500 instead of 422"),
    "order-race": ("08_idempotency_key", "the key is checked and claimed in two steps, so concurrent requests create two orders"),
    "order-bad-id-404": ("08_idempotency_key", "GET /orders/{id} with an id that is not a positive integer answers 404 instead of 400"),
    "order-get-404": ("08_idempotency_key", "GET /orders/{id} answers 404 for an existing order"),
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
