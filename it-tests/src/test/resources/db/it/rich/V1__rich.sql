-- A schema with the objects a copy must reproduce: serial and identity columns, a standalone sequence,
-- defaults, checks, unique and partial indexes, foreign keys, generated columns, storage parameters (the
-- table's, its TOAST table's, an index's), and grants.
CREATE SEQUENCE invoice_numbers START WITH 1000 INCREMENT BY 10;

CREATE TABLE customers (
    id      serial PRIMARY KEY,
    name    text NOT NULL CHECK (length(name) > 0),
    email   text UNIQUE,
    created timestamptz NOT NULL DEFAULT now()
) WITH (toast.autovacuum_enabled = false);

CREATE TABLE invoices (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number      bigint NOT NULL DEFAULT nextval('invoice_numbers'),
    customer_id integer NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    net         numeric(10, 2) NOT NULL,
    gross       numeric(10, 2) GENERATED ALWAYS AS (net * 1.2) STORED,
    paid        boolean NOT NULL DEFAULT false
) WITH (fillfactor = 90, autovacuum_analyze_threshold = 500);

CREATE INDEX invoices_unpaid_idx ON invoices (customer_id) WITH (fillfactor = 70) WHERE NOT paid;

GRANT SELECT ON customers TO PUBLIC;
