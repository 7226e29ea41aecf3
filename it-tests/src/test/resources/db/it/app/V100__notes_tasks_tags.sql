-- An application's own tables, written the usual way: no schema (Flyway runs them in the tenant's schema).
CREATE SEQUENCE notes_seq INCREMENT BY 50;
CREATE TABLE notes (id bigint PRIMARY KEY, body text);
CREATE TABLE note_marks (note_id bigint NOT NULL REFERENCES notes (id));
CREATE SEQUENCE tag_ids;
CREATE TABLE tags (id bigint PRIMARY KEY, name text);
CREATE SEQUENCE tasks_seq INCREMENT BY 50;
CREATE TABLE tasks (id bigint PRIMARY KEY, title text);
CREATE TABLE task_labels (task_id bigint NOT NULL REFERENCES tasks (id), label text);
CREATE TABLE task_tags (task_id bigint NOT NULL REFERENCES tasks (id), tag_id bigint NOT NULL REFERENCES tags (id),
                        PRIMARY KEY (task_id, tag_id));
CREATE TABLE id_blocks (sequence_name varchar(255) PRIMARY KEY, next_val bigint);
CREATE TABLE counters (id bigint PRIMARY KEY, name text);
