-- Users of one tenant. Emails are unique regardless of case.
CREATE TABLE users (
    id           uuid        PRIMARY KEY,
    email        text        NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
    display_name text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    version      bigint      NOT NULL DEFAULT 0
);

CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
