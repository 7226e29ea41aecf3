package dev.tenantry.it.app;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A mistake Tenantry refuses: shared, but its generated id's sequence names no schema, so it would be each tenant's. */
@Entity
@Table(name = "announcements", schema = "app_shared")
public class SharedWithGeneratedId {

    @Id
    @GeneratedValue
    private Long id;

    protected SharedWithGeneratedId() {
    }
}
