package dev.tenantry.it.app;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import org.hibernate.annotations.Immutable;
import org.hibernate.annotations.Subselect;

/** A read-only view over hand-written SQL that names no schema. */
@Entity
@Immutable
@Subselect("select 1 as id, count(*) as notes from {h-schema}notes")
public class NoteCount {

    @Id
    private Long id;

    private long notes;

    protected NoteCount() {
    }

    public long notes() {
        return notes;
    }
}
