-- ...and a second that fails half-way, after creating a table.
CREATE TABLE leftovers (id bigint PRIMARY KEY);
SELECT no_such_function();
