-- The registry of tenants, kept in the shared schema. A tenant is usable once its state is 'ready'.
CREATE TABLE tenants (
    tenant_id   text        PRIMARY KEY,
    schema_name text        NOT NULL UNIQUE,
    state       text        NOT NULL CHECK (state IN ('provisioning', 'ready', 'failed')),
    version     text,
    last_error  text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
