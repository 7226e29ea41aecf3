-- Undoes V100 for the bench's rollback figure: the column goes, the rows stay.
ALTER TABLE users DROP COLUMN nickname;
