-- A later migration of an application: adds a column to the model's users table.
ALTER TABLE users ADD COLUMN nickname text;
