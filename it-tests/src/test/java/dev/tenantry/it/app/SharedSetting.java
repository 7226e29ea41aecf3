package dev.tenantry.it.app;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** Shared by every tenant: it names its schema. */
@Entity
@Table(name = "settings", schema = "app_shared")
public class SharedSetting {

    @Id
    private String name;

    private String value;

    protected SharedSetting() {
    }

    public SharedSetting(String name, String value) {
        this.name = name;
        this.value = value;
    }

    public String value() {
        return value;
    }
}
