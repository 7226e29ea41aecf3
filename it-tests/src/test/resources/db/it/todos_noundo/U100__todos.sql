-- Undoes V100: the table goes, with its rows.
DROP TABLE todos;
