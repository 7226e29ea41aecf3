-- Undoes V101: the column goes, the rows stay.
ALTER TABLE todos DROP COLUMN priority;
