"""The mutants of the reference shop: one broken contract line each.

`python3 shop.py --break ID` starts the shop with exactly one of these lines
broken. `tests/url_mode.rs` runs each chapter's tests against every mutant of
that chapter and expects them to fail: a mutant that survives is a contract
line no test checks.

Each entry is `id: (chapter, the contract line it breaks)`.
"""

CH2 = "02_endpoints"
CH3 = "03_get"
CH4 = "04_post"
CH5 = "05_put"
CH6 = "06_delete"
CH7 = "07_problem_details"
CH8 = "08_idempotency_key"
CH10 = "10_deploy"

MUTANTS = {
    # Chapter 2: endpoints
    "health-201": (CH2, "GET /health answers 201 instead of 200"),
    "health-body": (CH2, 'GET /health answers {"status": "up"} instead of {"status": "ok"}'),
    "health-text-plain": (CH2, "GET /health says Content-Type: text/plain"),
    "unknown-path-200": (CH2, "an unknown path answers 200 with an empty body instead of 404"),
    "path-case-insensitive": (CH2, "paths match case-insensitively (/HEALTH answers like /health)"),
    "path-prefix": (CH2, "/health/extra answers like /health (prefix match)"),
    "405-as-404": (CH2, "a known path with an unsupported method answers 404 instead of 405"),
    "405-no-allow": (CH2, "a 405 carries no Allow header"),
    "allow-wrong-methods": (CH2, "Allow lists the methods the path does NOT support"),
    "allow-includes-rejected": (CH2, "Allow also lists the method that was just rejected"),
    "head-with-body": (CH2, "HEAD sends the GET body along"),
    "head-status-differs": (CH2, "HEAD answers 204 where GET answers 200"),
    "head-content-type-differs": (CH2, "HEAD answers without the Content-Type GET has"),
    # Chapter 3: GET
    "head-only-health": (CH3, "HEAD works on /health only; other GET routes answer 405"),
    "list-unsorted": (CH3, "GET /products lists products in descending id order"),
    "list-missing-seed": (CH3, "GET /products leaves out seed 2"),
    "list-seed-price-changed": (CH3, "GET /products shows seed 1 at 1999 instead of 1899"),
    "list-field-renamed": (CH3, 'GET /products names the field "price" instead of "price_cents"'),
    "list-wrapped": (CH3, 'GET /products answers {"items": [...]} instead of a bare array'),
    "list-text-plain": (CH3, "GET /products says Content-Type: text/plain"),
    "seed-price-wrong": (CH3, "seed 3 is stored at 499 cents instead of 399"),
    "filter-ignored": (CH3, "?category=X is ignored: every product comes back"),
    "filter-inverted": (CH3, "?category=X keeps every product except category X"),
    "filter-empty-404": (CH3, "a category filter that matches nothing answers 404 instead of []"),
    "filter-case-insensitive": (CH3, "?category=COFFEE finds the coffee (the match ignores case)"),
    "filter-prefix": (CH3, "?category=coff finds the coffee (the match is a prefix)"),
    "get-one-text-plain": (CH3, "GET /products/{id} labels its JSON body text/plain"),
    "optimizations-text-plain": (CH3, "GET /optimizations/today labels its JSON body text/plain"),
    "get-one-404": (CH3, "GET /products/{id} answers 404 for an existing product"),
    "get-one-wrong-product": (CH3, "GET /products/{id} answers the product with the next id"),
    "get-one-wrapped": (CH3, 'GET /products/{id} answers {"product": {...}}'),
    "unknown-id-200-null": (CH3, "an id that names no product answers 200 with null"),
    "unknown-id-500": (CH3, "an id that names no product answers 500"),
    "bad-id-404": (CH3, "an id that is not a positive integer answers 404 instead of 400"),
    "zero-id-accepted": (CH3, 'the id "0" is taken as well-formed (404 instead of 400)'),
    "negative-id-accepted": (CH3, 'the id "-1" is taken as well-formed (404 instead of 400)'),
    "float-id-accepted": (CH3, 'the id "1.5" is read as 1'),
    "plus-sign-id-accepted": (CH3, 'the id "+1" is read as 1 (not plain digits)'),
    "unicode-digit-id-accepted": (CH3, 'the id "\\u0661" (Arabic-Indic one) is read as 1 (not ASCII digits)'),
    "space-id-trimmed": (CH3, 'the id " 1" (%20 then 1) is trimmed and read as 1'),
    "exponent-id-accepted": (CH3, 'the id "1e0" is read as 1 (not plain digits)'),
    "discount-rounded-up": (CH3, "the recommended price is rounded up instead of down"),
    "discount-ten-percent": (CH3, "the recommended price is 10% of the price instead of 90%"),
    "discount-float": (CH3, "the recommended price is a float (1709.1) instead of an integer"),
    "recs-unsorted": (CH3, "recommendations come in descending product_id order"),
    "recs-missing-one": (CH3, "the recommendation for product 2 is missing"),
    "recs-product-id-renamed": (CH3, 'recommendations name the field "id" instead of "product_id"'),
    "date-wrong-format": (CH3, "the date is written DD/MM/YYYY instead of YYYY-MM-DD"),
    "date-not-utc": (CH3, "the date is taken in a far time zone (UTC-12 or UTC+14) instead of UTC"),
    "optimizations-writable": (CH3, "POST /optimizations/today answers 200 like GET instead of 405"),
    "get-mutates-product": (CH3, "each GET /products/1 raises product 1's price by one cent"),
    "get-mutates-optimizations": (CH3, "each GET /optimizations/today lowers the discount a little"),
    # Chapter 4: POST
    "post-200": (CH4, "POST /products answers 200 instead of 201"),
    "post-no-location": (CH4, "a 201 from POST /products has no Location header"),
    "post-location-collection": (CH4, "Location points at /products instead of /products/{id}"),
    "post-location-wrong-id": (CH4, "Location points at /products/{id + 1}"),
    "post-body-without-id": (CH4, "the created product comes back without its id"),
    "post-text-plain": (CH4, "the 201 from POST /products labels its JSON body text/plain"),
    "prediction-text-plain": (CH4, "POST /predictions labels its JSON body text/plain"),
    "post-not-stored": (CH4, "POST answers 201 but stores nothing"),
    "post-client-id-honored": (CH4, 'an integer "id" in the POST body is used as the new id'),
    "post-dedupes-identical": (CH4, "a second identical POST answers the first product instead of creating one"),
    "post-id-skips": (CH4, "a new id is two more than the highest id ever assigned, not one"),
    "malformed-json-422": (CH4, "JSON that does not parse answers 422 instead of 400"),
    "empty-body-is-empty-object": (CH4, "an empty body is read as {} (422) instead of malformed JSON (400)"),
    "content-type-ignored": (CH4, "the Content-Type is not checked: any body that parses is accepted"),
    "content-type-missing-ok": (CH4, "a body without Content-Type is read as JSON instead of 415"),
    "content-type-415-as-400": (CH4, "a body not declared as JSON answers 400 instead of 415"),
    "text-json-accepted": (CH4, "Content-Type: text/json is accepted as JSON"),
    "charset-rejected": (CH4, "application/json; charset=utf-8 answers 415"),
    "wrong-shape-400": (CH4, "a missing field or a wrong type answers 400 instead of 422"),
    "string-number-accepted": (CH4, 'a number sent as a string ("100") is accepted'),
    "float-number-accepted": (CH4, "a number with a fraction (12.5) is truncated and accepted"),
    "bool-number-accepted": (CH4, "a boolean where a number is due (true) is read as 1 and accepted"),
    "null-number-accepted": (CH4, "a null where a number is due is read as 0 and accepted"),
    "null-text-accepted": (CH4, 'a null where a string is due ("category": null) is read as "null"'),
    "number-text-accepted": (CH4, 'a number where a string is due ("name": 42) is read as "42"'),
    "non-object-body-500": (CH4, "a JSON value that is not an object (a string, an array) answers 500"),
    "i64-max-refused": (CH4, "a price of exactly i64::MAX (9223372036854775807) is refused"),
    "price-minus-one-accepted": (CH4, "a price of -1 is accepted (the rule stops one below zero)"),
    "category-optional": (CH4, "a missing category defaults to \"uncategorized\" instead of 422"),
    "empty-name-accepted": (CH4, "an empty name is accepted"),
    "name-limit-101": (CH4, "a name of 101 characters is accepted"),
    "name-limit-99": (CH4, "a name of exactly 100 characters is refused"),
    "name-limit-in-bytes": (CH4, "the 100-character limit counts UTF-8 bytes instead of characters"),
    "negative-price-accepted": (CH4, "a negative price is accepted"),
    "zero-price-rejected": (CH4, "a price of 0 is refused"),
    "empty-category-accepted": (CH4, "an empty category is accepted"),
    "invalid-stored-anyway": (CH4, "an invalid product answers 422 but is stored all the same"),
    "prediction-201": (CH4, "POST /predictions answers 201 instead of 200"),
    "prediction-rounded": (CH4, "predicted_units is rounded to nearest instead of down"),
    "prediction-fixed-list-price": (CH4, "predictions use product 1's price whatever the product_id"),
    "prediction-overflow-500": (CH4, "100 * a huge list price overflows 64 bits and answers 500"),
    "prediction-unknown-200": (CH4, "a prediction for an unknown product answers 200 with 0 units"),
    "prediction-unknown-422": (CH4, "a prediction for an unknown product answers 422 instead of 404"),
    "prediction-zero-price-500": (CH4, "a prediction at price 0 divides by zero: 500 instead of 422"),
    "prediction-field-renamed": (CH4, 'a prediction names its result "units" instead of "predicted_units"'),
    "prediction-negative-price-accepted": (CH4, "a prediction at a negative price answers 200"),
    "prediction-price-one-refused": (CH4, "a prediction at a price of 1 cent answers 422"),
    "prediction-location": (CH4, "POST /predictions answers with a Location header, as if it created something"),
    "prediction-content-type-ignored": (CH4, "POST /predictions accepts a body not declared as JSON"),
    "prediction-malformed-json-422": (CH4, "POST /predictions answers 422 instead of 400 for JSON that does not parse"),
    "prediction-wrong-shape-400": (CH4, "POST /predictions answers 400 instead of 422 for a missing field or a wrong type"),
    "string-prediction-id-accepted": (CH4, 'a prediction\'s product_id sent as a string ("1") is read as 1'),
    "float-prediction-id-accepted": (CH4, "a prediction's product_id with a fraction (1.5) is read as 1"),
    "bool-prediction-id-accepted": (CH4, "a prediction's product_id of true is read as product 1"),
    "null-prediction-id-accepted": (CH4, "a prediction's product_id of null is read as product 1"),
    "string-prediction-price-accepted": (CH4, 'a prediction\'s price_cents sent as a string ("100") is read as 100'),
    "float-prediction-price-accepted": (CH4, "a prediction's price_cents with a fraction (949.5) is truncated"),
    "bool-prediction-price-accepted": (CH4, "a prediction's price_cents of true is read as 1 cent"),
    "null-prediction-price-accepted": (CH4, "a prediction's price_cents of null is read as 1 cent"),
    # Chapter 5: PUT
    "put-create-200": (CH5, "a PUT that creates answers 200 instead of 201"),
    "put-create-no-location": (CH5, "a PUT that creates has no Location header"),
    "put-replace-201": (CH5, "a PUT that replaces answers 201 instead of 200"),
    "put-text-plain": (CH5, "PUT /products/{id} labels its JSON body text/plain"),
    "put-replace-answers-old": (CH5, "a PUT that replaces answers the old product instead of the stored one"),
    "put-merges": (CH5, "PUT fills missing fields from the stored product (a merge) instead of 422"),
    "put-keeps-old-name": (CH5, "a PUT that replaces keeps the old name"),
    "put-repeat-changes-state": (CH5, "repeating the same PUT raises the price by a cent (not idempotent)"),
    "put-id-mismatch-accepted": (CH5, 'an "id" in the body that differs from the path is accepted'),
    "put-matching-id-rejected": (CH5, 'an "id" in the body equal to the path id answers 422'),
    "put-skips-rules": (CH5, "PUT skips the value rules (empty name, negative price, ...)"),
    "put-ignores-content-type": (CH5, "PUT accepts a body not declared as JSON"),
    "put-no-next-id-bump": (CH5, "an id assigned by PUT does not move the next POST id past it"),
    "put-huge-id-accepted": (CH5, "a PUT to an id above 2^53 - 1 is accepted, as before issue 11: after one to 2^64 - 1, POST answers 507"),
    "post-ids-stop-at-client-range": (CH5, "POST answers 507 once a PUT took 2^53 - 1: its ids stop where the clients' do"),
    "put-bad-id-404": (CH5, "PUT with an id that is not a positive integer answers 404 instead of 400"),
    "put-string-id-accepted": (CH5, 'an "id" in the body that is the path id as a string ("7") is accepted'),
    "put-charset-rejected": (CH5, "PUT answers 415 to application/json; charset=utf-8"),
    "put-malformed-json-422": (CH5, "PUT answers 422 instead of 400 for JSON that does not parse"),
    "put-refused-creates": (CH5, "a PUT to a free id that the rules refuse (422) stores the body all the same"),
    "put-category-optional": (CH5, 'a PUT without a category defaults it to "uncategorized" instead of 422'),
    "string-put-price-accepted": (CH5, 'a PUT\'s price_cents sent as a string ("100") is read as 100'),
    "float-put-price-accepted": (CH5, "a PUT's price_cents with a fraction (1.5) is truncated"),
    "bool-put-price-accepted": (CH5, "a PUT's price_cents of true is read as 1"),
    "null-put-price-accepted": (CH5, "a PUT's price_cents of null is read as 0"),
    "put-null-text-accepted": (CH5, 'a PUT\'s null where a string is due ("category": null) is read as "null"'),
    "put-number-text-accepted": (CH5, 'a PUT\'s number where a string is due ("name": 42) is read as "42"'),
    "put-non-object-body-500": (CH5, "a PUT whose JSON is not an object (a string, an array) answers 500"),
    "put-i64-max-refused": (CH5, "a PUT with a price of exactly i64::MAX is refused"),
    "put-zero-price-rejected": (CH5, "a PUT with a price of 0 is refused"),
    "put-price-minus-one-accepted": (CH5, "a PUT with a price of -1 is accepted (the rule stops one below zero)"),
    "put-negative-price-accepted": (CH5, "a PUT with a negative price is accepted"),
    "put-empty-name-accepted": (CH5, "a PUT with an empty name is accepted"),
    "put-name-limit-101": (CH5, "a PUT with a name of 101 characters is accepted"),
    "put-name-limit-99": (CH5, "a PUT with a name of exactly 100 characters is refused"),
    "put-name-limit-in-bytes": (CH5, "PUT counts the 100-character limit in UTF-8 bytes instead of characters"),
    "put-empty-category-accepted": (CH5, "a PUT with an empty category is accepted"),
    # Chapter 6: DELETE
    "delete-200-with-body": (CH6, "DELETE answers 200 with a body instead of 204"),
    "delete-204-with-body": (CH6, "DELETE answers 204 but sends a body"),
    "delete-twice-204": (CH6, "a second DELETE answers 204 again instead of 404"),
    "delete-not-removed": (CH6, "DELETE answers 204 but the product stays"),
    "delete-still-listed": (CH6, "a deleted product is gone from GET /products/{id} but still listed"),
    "delete-wrong-product": (CH6, "DELETE /products/{id} removes the product with the next id"),
    "delete-unknown-204": (CH6, "deleting a product that never existed answers 204"),
    "delete-bad-id-404": (CH6, "DELETE with an id that is not a positive integer answers 404 instead of 400"),
    "delete-reuses-id": (CH6, "a new id is one more than the highest id that still exists, so ids are reused"),
    "delete-race": (CH6, "DELETE checks and removes in two steps, so two DELETEs can both answer 204"),
    "post-race": (CH6, "POST picks the id and stores in two steps, so concurrent POSTs share an id"),
    "put-lost-update": (CH6, "PUT copies the catalogue and writes it back, losing concurrent writes"),
    "put-after-delete-no-location": (CH6, "a PUT on a deleted id answers 201 without a Location header"),
    "put-after-delete-200": (CH6, "a PUT on a deleted id answers 200 (a replace) instead of 201"),
    # Chapter 7: problem details
    "problem-as-json": (CH7, "every error says Content-Type: application/json"),
    "problem-400-as-json": (CH7, "400 errors say Content-Type: application/json"),
    "problem-404-as-json": (CH7, "404 errors say Content-Type: application/json"),
    "problem-405-as-json": (CH7, "405 errors say Content-Type: application/json"),
    "problem-413-as-json": (CH7, "413 errors say Content-Type: application/json"),
    "problem-415-as-json": (CH7, "415 errors say Content-Type: application/json"),
    "problem-422-as-json": (CH7, "422 errors say Content-Type: application/json"),
    "problem-404-route-plain": (CH7, "an unknown route answers 404 with an empty text/plain body"),
    "problem-no-title": (CH7, 'problems have no "title"'),
    "problem-no-detail": (CH7, 'problems have no "detail"'),
    "problem-status-string": (CH7, 'the "status" member is a string ("404")'),
    "problem-status-always-400": (CH7, 'the "status" member is 400 whatever the HTTP status'),
    "problem-422-vague": (CH7, 'a 422\'s detail says "invalid input" without naming the field'),
    "problem-422-wrong-field": (CH7, "a 422's detail names another field than the wrong one"),
    "problem-405-drops-allow": (CH7, "a 405 problem loses its Allow header"),
    "no-body-limit": (CH7, "bodies over 64 KiB are read and accepted"),
    "body-limit-off-by-one": (CH7, "a body of exactly 65536 bytes answers 413"),
    "413-without-draining": (CH7, "a 413 leaves the unread body on a kept-alive connection"),
    "413-stops-server": (CH7, "after answering 413 the server exits"),
    "no-content-type-500": (CH7, "a body without Content-Type crashes the handler: 500"),
    "deep-nesting-500": (CH7, "deeply nested JSON exhausts the parser's stack: 500"),
    "non-utf8-500": (CH7, "a body that is not UTF-8 answers 500"),
    "huge-int-500": (CH7, "an integer over 64 bits answers 500"),
    "huge-int-called-float": (CH7, "an integer over 64 bits gets a 422 that calls it a float and gives no range"),
    "trailing-text-accepted": (CH7, "a JSON object followed by more text is read as the object"),
    "non-utf8-id-500": (CH7, "an id that is not UTF-8 once decoded (%FF) crashes the path decoder: 500"),
    "non-utf8-id-404": (CH7, "an id that is not UTF-8 once decoded (%FF) answers 404, as if no route matched"),
    # Chapter 8: Idempotency-Key
    "order-200": (CH8, "POST /orders answers 200 instead of 201"),
    "order-text-plain": (CH8, "POST /orders labels its JSON body text/plain"),
    "order-get-text-plain": (CH8, "GET /orders/{id} labels its JSON body text/plain"),
    "order-no-location": (CH8, "a created order has no Location header"),
    "order-total-ignores-quantity": (CH8, "total_cents is the price of one, whatever the quantity"),
    "order-unknown-product-404": (CH8, "an order for an unknown product answers 404 instead of 422"),
    "order-unknown-product-vague": (CH8, "an order for an unknown product answers a 422 whose detail does not name product_id"),
    "order-unknown-product-not-problem": (CH8, 'an order for an unknown product answers 422 as {"error": ...} in application/json, not a problem'),
    "order-quantity-vague": (CH8, "a refused quantity answers a 422 whose detail does not name quantity"),
    "string-order-product-id-accepted": (CH8, 'an order\'s product_id sent as a string ("7") is read as 7'),
    "float-order-product-id-accepted": (CH8, "an order's product_id with a fraction (7.5) is read as 7"),
    "bool-order-product-id-accepted": (CH8, "an order's product_id of true is read as product 1"),
    "null-order-product-id-accepted": (CH8, "an order's product_id of null is read as product 1"),
    "order-quantity-zero-accepted": (CH8, "an order of quantity 0 is accepted"),
    "order-key-optional": (CH8, "an order without Idempotency-Key is accepted instead of 400"),
    "order-key-space-accepted": (CH8, "an Idempotency-Key with a space is accepted"),
    "order-empty-key-accepted": (CH8, "an empty Idempotency-Key is accepted"),
    "order-key-256-accepted": (CH8, "an Idempotency-Key of 256 characters is accepted"),
    "order-key-255-refused": (CH8, "an Idempotency-Key of exactly 255 characters answers 400"),
    "order-two-keys-first-wins": (CH8, "two Idempotency-Key headers: the first is used, instead of 400"),
    "order-quantity-one-refused": (CH8, "an order of quantity 1 is refused"),
    "bool-quantity-accepted": (CH8, "a quantity of true is read as 1 and accepted"),
    "float-quantity-accepted": (CH8, "a quantity of 2.5 is read as 2 and accepted"),
    "string-quantity-accepted": (CH8, 'a quantity of "2" is read as 2 and accepted'),
    "null-quantity-accepted": (CH8, "a quantity of null is read as 1 and accepted"),
    "order-retry-creates-second": (CH8, "a retry with the same key creates a second order"),
    "order-retry-200": (CH8, "a retry answers 200 instead of the first answer's 201"),
    "order-retry-no-location": (CH8, "a retry answers without the first answer's Location"),
    "order-key-reuse-accepted": (CH8, "the same key with a different body replays the first answer instead of 422"),
    "order-key-reuse-overwrites": (CH8, "a refused reuse of a key (422) replaces the body the key is bound to"),
    "order-failed-key-stuck": (CH8, "a first attempt that fails leaves its key in flight, so retries get 409 forever"),
    "order-retry-recomputes-total": (CH8, "a retry recomputes total_cents at today's price instead of replaying"),
    "order-get-recomputes-total": (CH8, "GET /orders/{id} recomputes total_cents at today's price"),
    "order-total-overflow-500": (CH8, "a total over 64 bits answers 500 instead of 422"),
    "order-inflight-500": (CH8, "a retry while the first request is in flight answers 500 instead of 409"),
    "order-inflight-409-plain": (CH8, "a retry while the first request is in flight answers 409 in plain JSON, not a problem"),
    "order-inflight-202": (CH8, "a retry while the first request is in flight answers 202 Accepted with no body"),
    "order-inflight-replay-200": (CH8, "a retry while the first request is in flight waits, then replays the first body with 200, not 201"),
    "order-race": (CH8, "the key is checked and claimed in two steps, so concurrent requests create two orders"),
    "order-bad-id-404": (CH8, "GET /orders/{id} with an id that is not a positive integer answers 404 instead of 400"),
    "order-get-404": (CH8, "GET /orders/{id} answers 404 for an existing order"),
    "order-get-unknown-500": (CH8, "GET /orders/{id} for an id with no order answers 500 instead of 404"),
    # Chapter 10: deploy. These run with the shop started as `API_KEY=<key>`
    # and the tests given `RESTLINGS_API_KEY=<key>`, and once more with neither.
    "auth-health-needs-key": (CH10, "GET /health needs the key too"),
    "auth-health-any-method": (CH10, "every method on /health goes through without the key (POST /health: 405, not 401)"),
    "auth-writes-open": (CH10, "only GET needs the key: POST, PUT and DELETE go through without one"),
    "auth-after-routing": (CH10, "the key is checked after routing, so an unknown path answers 404 without it"),
    "auth-any-token-accepted": (CH10, "any bearer token opens the API, not only the key"),
    "auth-key-prefix-accepted": (CH10, "a token that starts with the key (the key plus a byte) is accepted"),
    "auth-key-truncated-accepted": (CH10, "a token the key starts with (the key minus a byte) is accepted"),
    "auth-key-case-insensitive": (CH10, "the key is compared ignoring letter case"),
    "auth-any-scheme-accepted": (CH10, "the key opens the API under any scheme (Basic <key>)"),
    "auth-no-scheme-accepted": (CH10, "the bare key, without a scheme, opens the API"),
    "auth-scheme-case-sensitive": (CH10, "the scheme must be spelt Bearer: bearer <key> answers 401"),
    "auth-401-no-challenge": (CH10, "a 401 carries no WWW-Authenticate header"),
    "auth-challenge-basic": (CH10, 'the 401\'s challenge is Basic realm="shop", not Bearer'),
    "auth-401-not-problem": (CH10, 'a 401 answers {"error": ...} in application/json, not a problem'),
    "auth-wrong-key-403": (CH10, "a wrong key answers 403 instead of 401"),
    "auth-wrong-key-no-error": (CH10, 'a wrong key\'s challenge lacks error="invalid_token"'),
    "auth-two-headers-first-wins": (CH10, "two Authorization headers: the first is used, instead of 400"),
    "open-api-demands-key": (CH10, "with API_KEY unset, every request but the health check answers 401"),
}

# How long the race mutants leave the lock released between check and change:
# wide enough that requests sent "at once" land inside it on a busy machine.
RACE_PAUSE = 0.2

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


def broken_at(endpoint, mutant_id):
    """True when `mutant_id` is broken at `endpoint` ("" for POST /products, "put" for PUT).

    A rule that holds at several endpoints has a mutant for each, so that each
    endpoint's tests must catch it on their own: `name-limit-101` breaks it for
    POST /products, and its twin `put-name-limit-101` for PUT /products/{id}.
    """
    return broken(f"{endpoint}-{mutant_id}" if endpoint else mutant_id)
