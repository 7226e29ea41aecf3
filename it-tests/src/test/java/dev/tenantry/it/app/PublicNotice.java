package dev.tenantry.it.app;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** Mapped to public on purpose (or by habit): every tenant shares its rows, which Tenantry reports at start-up. */
@Entity
@Table(name = "notices", schema = "public")
public class PublicNotice {

    @Id
    private String id;

    private String text;

    protected PublicNotice() {
    }

    public PublicNotice(String id, String text) {
        this.id = id;
        this.text = text;
    }
}
