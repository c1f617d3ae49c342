-- The shop's state, in PostgreSQL. Embedded in the binary (`MIGRATIONS`
-- in src/lib.rs) and applied at startup by sqlx's migrator: a new database
-- gets these tables once, and every later start finds them, rows and all.
-- ANCHOR: products

-- The catalogue. Ids are chapter 8's: positive, chosen by POST or by a PUT.
CREATE TABLE products (
    id          BIGINT PRIMARY KEY CHECK (id > 0),
    name        TEXT   NOT NULL CHECK (name <> ''),
    price_cents BIGINT NOT NULL CHECK (price_cents >= 0),
    category    TEXT   NOT NULL CHECK (category <> '')
);

-- The highest product id ever handed out, in one row. POST takes the next
-- one and PUT raises it, each with an UPDATE: the row lock that UPDATE
-- takes makes two POSTs, even on two instances, wait for each other
-- instead of picking the same id. A sequence would not do: `nextval` is
-- outside the transaction, and a PUT could not raise it safely.
CREATE TABLE product_ids (
    single  BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (single),
    last_id BIGINT  NOT NULL
);

INSERT INTO products (id, name, price_cents, category) VALUES
    (1, 'Espresso beans 1kg', 1899, 'coffee'),
    (2, 'Oat milk 1l', 249, 'dairy-free'),
    (3, 'Paper filters x100', 399, 'accessories');
INSERT INTO product_ids (last_id) VALUES (3);
-- ANCHOR_END: products
-- ANCHOR: orders

-- Orders keep the total of the moment they were placed. No foreign key to
-- products: deleting a product must not delete, or forbid, its past orders.
CREATE TABLE orders (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id  BIGINT NOT NULL,
    quantity    BIGINT NOT NULL CHECK (quantity >= 1),
    total_cents BIGINT NOT NULL
);
-- ANCHOR_END: orders
-- ANCHOR: idempotency

-- One row per Idempotency-Key, after Zero To Production's idempotency table:
-- the key is the primary key, so PostgreSQL itself lets only one request
-- claim it (`INSERT … ON CONFLICT DO NOTHING`); the request it was first
-- used for, to tell a retry from a misuse; and the answer, here the order
-- it placed. The row is written in the same transaction as the order, so
-- no one ever sees a key without its order, or an order without its key.
CREATE TABLE idempotency_keys (
    idempotency_key TEXT        PRIMARY KEY,
    product_id      BIGINT      NOT NULL,
    quantity        BIGINT      NOT NULL,
    order_id        BIGINT      REFERENCES orders (id),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- ANCHOR_END: idempotency
