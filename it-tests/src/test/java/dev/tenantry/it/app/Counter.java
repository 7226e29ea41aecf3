package dev.tenantry.it.app;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.TableGenerator;

/** No schema, ids from a generator table that names no schema either. */
@Entity
@Table(name = "counters")
public class Counter {

    @Id
    @GeneratedValue(strategy = GenerationType.TABLE, generator = "counter_ids")
    @TableGenerator(name = "counter_ids", table = "id_blocks", pkColumnName = "sequence_name",
            valueColumnName = "next_val", pkColumnValue = "counters", allocationSize = 1)
    private Long id;

    private String name;

    protected Counter() {
    }

    public Counter(String name) {
        this.name = name;
    }

    public Long id() {
        return id;
    }
}
