-- The application's first table: to-dos of the model's users, in the same tenant schema.
CREATE TABLE todos (
    id      bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id uuid    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title   text    NOT NULL,
    done    boolean NOT NULL DEFAULT false
);
