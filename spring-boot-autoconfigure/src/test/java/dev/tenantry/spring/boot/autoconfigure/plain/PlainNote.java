package dev.tenantry.spring.boot.autoconfigure.plain;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An entity written the usual JPA way, naming no schema: the tenant's all the same. */
@Entity
@Table(name = "notes")
public class PlainNote {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    private String noteText;

    protected PlainNote() {
    }

    public PlainNote(String noteText) {
        this.noteText = noteText;
    }
}
