-- A second migration for a source that moves on after a copy.
CREATE TABLE colours (name text PRIMARY KEY);
