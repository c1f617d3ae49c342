//! Contract lines the chapters' tests do not catch (yet), each with what is
//! missing and where. The owners of those tests can close them; this list
//! must then shrink.

/// Whether the chapter's tests ever catch the mutant.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Caught {
    /// Never: if the tests start catching it, `url_mode` fails until the gap
    /// is removed here, so the list stays true.
    Never,
    /// By chance only, depending on timing or on what other tests do at the
    /// same moment: either outcome is accepted.
    Sometimes,
}

pub struct Gap {
    pub mutant: &'static str,
    pub caught: Caught,
    pub missing: &'static str,
}

pub fn find(mutant: &str) -> Option<&'static Gap> {
    KNOWN_GAPS.iter().find(|gap| gap.mutant == mutant)
}

// TEXT_PLAIN_FIX: book/src/03_get.md promises that "every response that has
// a body sends JSON with `Content-Type: application/json`", but only /health
// and /products are checked. One change would close every `*-text-plain` gap
// below: let the kit's `Exchange::json` require a JSON media type
// (`application/json`, or `application/problem+json` and other `+json`).

pub const KNOWN_GAPS: &[Gap] = &[
    Gap {
        mutant: "get-one-text-plain",
        caught: Caught::Never,
        missing: "exercises/03_get/tests/get.rs: no test reads the Content-Type of \
                  GET /products/{id}; see TEXT_PLAIN_FIX",
    },
    Gap {
        mutant: "optimizations-text-plain",
        caught: Caught::Never,
        missing: "exercises/03_get/tests/get.rs: no test reads the Content-Type of \
                  GET /optimizations/today; see TEXT_PLAIN_FIX",
    },
    Gap {
        mutant: "post-text-plain",
        caught: Caught::Never,
        missing: "exercises/04_post/tests/post.rs: no test reads the Content-Type of \
                  the 201 of POST /products; see TEXT_PLAIN_FIX",
    },
    Gap {
        mutant: "prediction-text-plain",
        caught: Caught::Never,
        missing: "exercises/04_post/tests/post.rs: no test reads the Content-Type of \
                  POST /predictions; see TEXT_PLAIN_FIX",
    },
    Gap {
        mutant: "put-text-plain",
        caught: Caught::Never,
        missing: "exercises/05_put/tests/put.rs: no test reads the Content-Type of \
                  PUT /products/{id}; see TEXT_PLAIN_FIX",
    },
    Gap {
        mutant: "order-text-plain",
        caught: Caught::Never,
        missing: "exercises/08_idempotency_key/tests/idempotency_key.rs: no test reads the \
                  Content-Type of the 201 of POST /orders; see TEXT_PLAIN_FIX",
    },
    Gap {
        mutant: "order-get-text-plain",
        caught: Caught::Never,
        missing: "exercises/08_idempotency_key/tests/idempotency_key.rs: no test reads the \
                  Content-Type of GET /orders/{id}; see TEXT_PLAIN_FIX",
    },
    Gap {
        mutant: "head-with-body",
        caught: Caught::Never,
        missing: "exercises/02_endpoints/tests/endpoints.rs: `head.body().is_empty()` cannot \
                  fail, because an HTTP client reads no body after a HEAD response and drops \
                  stray bytes; only a raw TCP read of the response can see them",
    },
    Gap {
        mutant: "unicode-digit-id-accepted",
        caught: Caught::Never,
        missing: "exercises/03_get/tests/get.rs: an_id_that_is_not_a_positive_integer_answers_400 \
                  tries no non-ASCII digit, such as \"%D9%A1\" (ARABIC-INDIC DIGIT ONE)",
    },
    Gap {
        mutant: "delete-reuses-id",
        caught: Caught::Sometimes,
        missing: "none in the tests: exercises/06_delete/tests/delete.rs \
                  a_post_after_deleting_the_highest_put_id_still_goes_above_it catches it, \
                  unless another test's POST lands between that test's PUT and DELETE of its \
                  top id. That POST gets top + 1, and from then on \"highest id present + 1\" \
                  gives the same ids as a correct server: nothing is left to observe",
    },
];
