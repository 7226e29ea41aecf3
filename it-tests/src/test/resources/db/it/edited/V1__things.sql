-- The same version, edited after it was applied: Flyway's checksum must refuse it.
CREATE TABLE things (id bigint PRIMARY KEY, name text NOT NULL, colour text);
