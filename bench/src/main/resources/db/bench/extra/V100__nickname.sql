-- A later migration for the operations bench: adds a column to every tenant's users table.
ALTER TABLE users ADD COLUMN nickname text;
