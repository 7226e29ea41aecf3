-- Snapshots of tenants' schemas (tenantry tenants snapshot): copies with every row and the migration history,
-- in schemas of their own that are never served, migrated or verified as tenants; restore puts one back.
CREATE TABLE snapshots (
    snapshot_schema text        PRIMARY KEY,
    tenant_id       text        NOT NULL,
    schema_name     text        NOT NULL,
    version         text,
    taken_at        timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX snapshots_tenant_taken_at_idx ON snapshots (tenant_id, taken_at);
