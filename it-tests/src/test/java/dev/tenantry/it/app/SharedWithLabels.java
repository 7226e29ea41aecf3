package dev.tenantry.it.app;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.HashSet;
import java.util.Set;

/** A mistake Tenantry refuses: shared, but its collection table names no schema, so it would be each tenant's. */
@Entity
@Table(name = "catalog_items", schema = "app_shared")
public class SharedWithLabels {

    @Id
    private String code;

    @ElementCollection
    @CollectionTable(name = "catalog_item_labels")
    private Set<String> labels = new HashSet<>();

    protected SharedWithLabels() {
    }
}
