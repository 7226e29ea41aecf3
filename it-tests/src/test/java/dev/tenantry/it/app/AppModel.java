package dev.tenantry.it.app;

import dev.tenantry.it.support.TestDatabase;
import jakarta.persistence.EntityManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An application written the usual JPA way, before it met Tenantry: entities that name no schema, generated
 * {@code Long} ids from sequences and from a generator table, an element collection and a many-to-many, a formula
 * and a subselect, plus one entity shared by all tenants in a schema it names. Its migration creates its tables with
 * no schema either.
 */
public final class AppModel {

    /** The application's entities; {@link SharedSetting} lives in {@link #SHARED_SCHEMA}. */
    public static final List<Class<?>> ENTITIES = List.of(Note.class, Tag.class, Task.class, Counter.class,
            NoteCount.class, SharedSetting.class);

    /** Its migrations, run in every tenant's schema. */
    public static final String MIGRATIONS = "classpath:db/it/app";

    /** The schema of the entity that all tenants share. */
    public static final String SHARED_SCHEMA = "app_shared";

    /** The tables and sequences of the migration, which a leak would write or draw from. */
    public static final List<String> TABLES = List.of("notes", "note_marks", "tags", "tasks", "task_labels", "task_tags",
            "id_blocks", "counters");
    public static final List<String> SEQUENCES = List.of("notes_seq", "tag_ids", "tasks_seq");

    private AppModel() {
    }

    /** Creates the shared schema and its table, as the application's own operations would. */
    public static void createSharedSchema(TestDatabase db) {
        db.execute("CREATE SCHEMA IF NOT EXISTS " + SHARED_SCHEMA + "; CREATE TABLE IF NOT EXISTS " + SHARED_SCHEMA
                + ".settings (name text PRIMARY KEY, value text)");
    }

    /**
     * What an earlier single-schema run of the same application left in {@code public}: its tables, with a row in
     * each, and its sequences moved far ahead, so that a write or an id drawn there would be seen.
     */
    public static void leaveSingleSchemaRunInPublic(TestDatabase db) {
        db.execute(migration());
        db.execute("INSERT INTO public.notes VALUES (9000001, 'public'); INSERT INTO public.note_marks VALUES (9000001);"
                + " INSERT INTO public.tags VALUES (9000001, 'public'); INSERT INTO public.tasks VALUES (9000001, 'public');"
                + " INSERT INTO public.task_labels VALUES (9000001, 'public'); INSERT INTO public.task_tags VALUES (9000001, 9000001);"
                + " INSERT INTO public.id_blocks VALUES ('counters', 9000001); INSERT INTO public.counters VALUES (9000001, 'public');"
                + " ALTER SEQUENCE public.notes_seq RESTART WITH 9000000; ALTER SEQUENCE public.tag_ids RESTART WITH 9000000;"
                + " ALTER SEQUENCE public.tasks_seq RESTART WITH 9000000");
    }

    /** Rows per table and the state of every sequence in {@code schema}: what a leak into it would change. */
    public static List<String> state(TestDatabase db, String schema) {
        List<String> state = new ArrayList<>();
        for (String table : TABLES) {
            state.add(table + " " + db.column("SELECT count(*) FROM \"" + schema + "\"." + table).get(0) + " rows");
        }
        for (String sequence : SEQUENCES) {
            state.add(sequence + " at " + db.column("SELECT last_value || CASE WHEN is_called THEN ' called' ELSE ''"
                    + " END FROM \"" + schema + "\"." + sequence).get(0));
        }
        return state;
    }

    /**
     * Writes one of everything in the tenant in scope, each tagged with {@code tag}: a note with a mark, a tag, a task
     * labelled and tagged, a counter.
     */
    public static void writeEverything(EntityManager em, String tag) {
        Note note = new Note(tag);
        em.persist(note);
        Tag label = new Tag(tag);
        em.persist(label);
        Task task = new Task(tag);
        task.labels().add(tag);
        task.tags().add(label);
        em.persist(task);
        em.persist(new Counter(tag));
        em.flush();
        em.createNativeQuery("INSERT INTO {h-schema}note_marks (note_id) VALUES (?1)").setParameter(1, note.id())
                .executeUpdate();
    }

    /**
     * What the tenant in scope sees through JPA: note bodies with their marks (a formula), the subselect's count, task
     * titles with labels and tag names, counters.
     */
    public static List<String> readEverything(EntityManager em) {
        List<String> seen = new ArrayList<>();
        for (Note note : em.createQuery("select n from Note n order by n.body", Note.class).getResultList()) {
            seen.add("note " + note.body() + " marks " + note.marks());
        }
        seen.add("note count " + em.createQuery("select c from NoteCount c", NoteCount.class).getSingleResult().notes());
        for (Task task : em.createQuery("select t from Task t order by t.title", Task.class).getResultList()) {
            seen.add("task " + task.title() + " labels " + task.labels() + " tags "
                    + task.tags().stream().map(Tag::name).sorted().toList());
        }
        seen.add("counters " + em.createQuery("select count(c) from Counter c", Long.class).getSingleResult());
        return seen;
    }

    /** What {@link #readEverything} sees in a tenant that {@link #writeEverything} wrote once with {@code tag}. */
    public static List<String> everythingOnce(String tag) {
        return List.of("note " + tag + " marks 1", "note count 1", "task " + tag + " labels [" + tag + "] tags [" + tag + "]",
                "counters 1");
    }

    /**
     * What {@code schema} holds, read with plain SQL: the tag of every row written there, and {@code "(id from
     * public)"} after a row whose id was drawn from a sequence or generator table of {@code public}.
     */
    public static List<String> rowsIn(TestDatabase db, String schema) {
        String s = "\"" + schema + "\".";
        String fromPublic = " || CASE WHEN id >= 9000000 THEN ' (id from public)' ELSE '' END";
        List<String> rows = new ArrayList<>();
        rows.addAll(db.column("SELECT 'note ' || body" + fromPublic + " FROM " + s + "notes ORDER BY body"));
        rows.addAll(db.column("SELECT 'mark of ' || n.body FROM " + s + "note_marks m JOIN " + s + "notes n ON n.id = m.note_id"
                + " ORDER BY 1"));
        rows.addAll(db.column("SELECT 'tag ' || name" + fromPublic + " FROM " + s + "tags ORDER BY name"));
        rows.addAll(db.column("SELECT 'task ' || title" + fromPublic + " FROM " + s + "tasks ORDER BY title"));
        rows.addAll(db.column("SELECT 'label ' || t.title || ' ' || l.label FROM " + s + "task_labels l JOIN " + s
                + "tasks t ON t.id = l.task_id ORDER BY 1"));
        rows.addAll(db.column("SELECT 'task ' || t.title || ' tagged ' || g.name FROM " + s + "task_tags tt JOIN " + s
                + "tasks t ON t.id = tt.task_id JOIN " + s + "tags g ON g.id = tt.tag_id ORDER BY 1"));
        rows.addAll(db.column("SELECT 'counter ' || name" + fromPublic + " FROM " + s + "counters ORDER BY name"));
        return rows;
    }

    /** What {@link #rowsIn} finds in a schema that {@link #writeEverything} wrote once with {@code tag}, and nothing else. */
    public static List<String> rowsOnce(String tag) {
        return List.of("note " + tag, "mark of " + tag, "tag " + tag, "task " + tag, "label " + tag + " " + tag,
                "task " + tag + " tagged " + tag, "counter " + tag);
    }

    private static String migration() {
        try (InputStream in = AppModel.class.getResourceAsStream("/db/it/app/V100__notes_tasks_tags.sql")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
