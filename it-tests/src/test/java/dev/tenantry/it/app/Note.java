package dev.tenantry.it.app;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.Formula;

/** An entity written the usual JPA way: no schema, a generated Long id. */
@Entity
@Table(name = "notes")
public class Note {

    @Id
    @GeneratedValue
    private Long id;

    private String body;

    @Formula("(select count(*) from {h-schema}note_marks m where m.note_id = id)")
    private Long marks;

    protected Note() {
    }

    public Note(String body) {
        this.body = body;
    }

    public Long id() {
        return id;
    }

    public String body() {
        return body;
    }

    public Long marks() {
        return marks;
    }
}
