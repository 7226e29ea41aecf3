-- Anonymous visitor sessions. Only a hash of the session token is stored; a session can be claimed
-- by a user of the same schema when the visitor signs up.
CREATE TABLE anon_sessions (
    id           uuid        PRIMARY KEY,
    token_hash   bytea       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    user_id      uuid        REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    payload      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    version      bigint      NOT NULL DEFAULT 0,
    CHECK (expires_at >= created_at)
);

CREATE INDEX anon_sessions_user_id_idx ON anon_sessions (user_id);
CREATE INDEX anon_sessions_expires_at_idx ON anon_sessions (expires_at);
