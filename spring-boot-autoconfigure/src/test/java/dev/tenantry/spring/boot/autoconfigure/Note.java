package dev.tenantry.spring.boot.autoconfigure;

import dev.tenantry.tenancy.hibernate.TenantSchema;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A test entity whose camel-case field only maps to its column under Boot's snake-case naming. */
@Entity
@Table(name = "notes", schema = TenantSchema.LOGICAL)
public class Note {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    private String noteText;

    protected Note() {
    }

    public Note(String noteText) {
        this.noteText = noteText;
    }

    public String getNoteText() {
        return noteText;
    }
}
