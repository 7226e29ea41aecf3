-- A view: schemas holding views are refused by the copy.
CREATE TABLE things (id bigint PRIMARY KEY);
CREATE VIEW thing_ids AS SELECT id FROM things;
