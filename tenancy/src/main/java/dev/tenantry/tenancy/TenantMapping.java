package dev.tenantry.tenancy;

import dev.tenantry.tenancy.hibernate.TenantSchema;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hibernate.boot.Metadata;
import org.hibernate.boot.model.naming.Identifier;
import org.hibernate.boot.model.relational.Namespace;
import org.hibernate.boot.model.relational.QualifiedName;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.generator.Generator;
import org.hibernate.id.enhanced.DatabaseStructure;
import org.hibernate.id.enhanced.SequenceStyleGenerator;
import org.hibernate.id.enhanced.TableGenerator;
import org.hibernate.mapping.Collection;
import org.hibernate.mapping.Join;
import org.hibernate.mapping.PersistentClass;
import org.hibernate.mapping.Table;

/**
 * Where the tables and sequences of the entity model live, read from Hibernate's own mapping when the factory was
 * built (annotations, {@code orm.xml} and {@code persistence.xml} alike). A table or sequence is the tenant's when
 * its mapping names {@link TenantSchema#LOGICAL} or no schema at all: Tenantry resolves it to the schema of the
 * deployment or of the request's tenant. It is shared when its mapping names any other schema.
 */
public final class TenantMapping {

    /** What a {@link Placement} places. */
    public enum Kind {
        TABLE("table", "@Table"),
        SECONDARY_TABLE("secondary table", "@SecondaryTable"),
        COLLECTION_TABLE("collection table", "@CollectionTable or @JoinTable"),
        SEQUENCE("sequence", "@SequenceGenerator"),
        GENERATOR_TABLE("generator table", "@TableGenerator");

        private final String label;
        private final String annotation;

        Kind(String label, String annotation) {
            this.label = label;
            this.annotation = annotation;
        }

        /** How messages call it: {@code "collection table"}. */
        public String label() {
            return label;
        }
    }

    /**
     * Where one table or sequence of the model lives.
     *
     * @param entity      the JPA name of the entity it belongs to (for a collection table, the collection's owner)
     * @param kind        what it is
     * @param name        its name, without schema
     * @param schema      the shared schema it lives in, or {@code null} when it lives in the tenant's schema
     * @param schemaNamed whether the mapping names its schema; {@code false} when it names none and so is the tenant's
     */
    public record Placement(String entity, Kind kind, String name, String schema, boolean schemaNamed) {

        /** Whether it lives in the tenant's schema (the deployment's, or the request's tenant's). */
        public boolean tenantScoped() {
            return schema == null;
        }

        @Override
        public String toString() {
            return entity + ": " + kind.label + " " + (tenantScoped() ? name + " (tenant's schema"
                    + (schemaNamed ? ")" : ", as it names no schema)") : schema + "." + name + " (shared)");
        }
    }

    private static final Comparator<Placement> ORDER = Comparator.comparing(Placement::entity)
            .thenComparing(Placement::kind).thenComparing(Placement::name);

    private final List<Placement> placements;
    private final List<String> problems;
    private final Set<String> problemEntities;

    private TenantMapping(List<Placement> placements, List<String> problems, Set<String> problemEntities) {
        List<Placement> sorted = new ArrayList<>(placements);
        sorted.sort(ORDER);
        this.placements = Collections.unmodifiableList(sorted);
        this.problems = List.copyOf(problems);
        this.problemEntities = Collections.unmodifiableSet(problemEntities);
    }

    /** Every table and sequence of the model, by entity. */
    public List<Placement> placements() {
        return placements;
    }

    /** Those in the tenant's schema. */
    public List<Placement> tenantScoped() {
        return placements.stream().filter(Placement::tenantScoped).toList();
    }

    /** Those in a shared schema, which every tenant reads and writes alike. */
    public List<Placement> shared() {
        return placements.stream().filter(p -> !p.tenantScoped()).toList();
    }

    /** The entities whose table names no schema, and so is the tenant's by default. */
    public List<String> entitiesWithoutSchema() {
        return placements.stream().filter(p -> p.kind() == Kind.TABLE && !p.schemaNamed()).map(Placement::entity).toList();
    }

    /** What cannot be made safe whatever the settings, one sentence each; empty when all is well. */
    List<String> problems() {
        return problems;
    }

    /** The entities {@link #problems()} are about. */
    Set<String> problemEntities() {
        return problemEntities;
    }

    /**
     * Reads the mapping of a factory just built: its tables and collection tables from the boot model, its id
     * generators' sequences and tables from the factory, where they are known once it stands.
     */
    static TenantMapping read(Metadata metadata, SessionFactoryImplementor factory) {
        return new Reader(metadata, factory).read();
    }

    /** One pass over the mapping; collects placements and problems. */
    private static final class Reader {

        private final Metadata metadata;
        private final SessionFactoryImplementor factory;
        private final Map<Table, Namespace> namespaces = new IdentityHashMap<>();
        private final Map<Table, Placement> tables = new IdentityHashMap<>();
        private final List<Placement> placements = new ArrayList<>();
        private final List<String> problems = new ArrayList<>();
        private final Set<String> problemEntities = new LinkedHashSet<>();

        Reader(Metadata metadata, SessionFactoryImplementor factory) {
            this.metadata = metadata;
            this.factory = factory;
            for (Namespace namespace : metadata.getDatabase().getNamespaces()) {
                for (Table table : namespace.getTables()) {
                    namespaces.put(table, namespace);
                }
            }
        }

        TenantMapping read() {
            // Entities first, roots before subclasses, so that a subclass's own table (joined inheritance) is checked
            // against its root's, and a collection table that is an entity's table (a one-to-many by join column) is
            // already placed, with the entity it belongs to.
            for (PersistentClass entity : metadata.getEntityBindings()) {
                if (!entity.isInherited()) {
                    table(entity.getJpaEntityName(), Kind.TABLE, entity.getTable(), null);
                }
            }
            for (PersistentClass entity : metadata.getEntityBindings()) {
                if (entity.isInherited()) {
                    table(entity.getJpaEntityName(), Kind.TABLE, entity.getTable(), tables.get(entity.getRootClass().getTable()));
                }
            }
            for (PersistentClass entity : metadata.getEntityBindings()) {
                Placement owner = tables.get(entity.getTable());
                for (Join join : entity.getJoins()) {
                    table(entity.getJpaEntityName(), Kind.SECONDARY_TABLE, join.getTable(), owner);
                }
                if (!entity.isInherited()) {
                    generator(entity, owner);
                }
            }
            for (Collection collection : metadata.getCollectionBindings()) {
                PersistentClass entity = metadata.getEntityBinding(collection.getOwnerEntityName());
                table(entity.getJpaEntityName(), Kind.COLLECTION_TABLE, collection.getCollectionTable(),
                        tables.get(entity.getTable()));
            }
            return new TenantMapping(placements, problems, problemEntities);
        }

        private void table(String entity, Kind kind, Table table, Placement owner) {
            if (table == null || table.isSubselect() || table.isAbstractUnionTable() || tables.containsKey(table)) {
                return;
            }
            Namespace namespace = namespaces.get(table);
            Identifier logical = namespace == null ? null : namespace.getName().schema();
            Identifier physical = namespace == null ? table.getSchemaIdentifier() : namespace.getPhysicalName().schema();
            Placement placement = place(entity, kind, table.getName(), logical, physical, owner);
            tables.put(table, placement);
        }

        private void generator(PersistentClass entity, Placement owner) {
            Generator generator = factory.getMappingMetamodel().getEntityDescriptor(entity.getEntityName()).getGenerator();
            if (generator instanceof SequenceStyleGenerator) {
                DatabaseStructure structure = ((SequenceStyleGenerator) generator).getDatabaseStructure();
                QualifiedName name = structure.getPhysicalName();
                place(entity.getJpaEntityName(), structure.isPhysicalSequence() ? Kind.SEQUENCE : Kind.GENERATOR_TABLE,
                        name.getObjectName().getText(), null, name.getSchemaName(), owner);
            } else if (generator instanceof TableGenerator) {
                // The generator gives its table's name as mapped (Hibernate 7.4: without the default schema applied).
                String mapped = ((TableGenerator) generator).getTableName();
                for (Map.Entry<Table, Namespace> table : namespaces.entrySet()) {
                    if (mapped.equals(table.getKey().getQualifiedTableName().render())
                            || mapped.equals(table.getKey().getQualifiedName(factory.getSqlStringGenerationContext()))) {
                        place(entity.getJpaEntityName(), Kind.GENERATOR_TABLE, table.getKey().getName(),
                                table.getValue().getName().schema(), table.getValue().getPhysicalName().schema(), owner);
                        return;
                    }
                }
            }
        }

        private Placement place(String entity, Kind kind, String name, Identifier logical, Identifier physical,
                                Placement owner) {
            boolean placeholder = physical != null && TenantSchema.PLACEHOLDER.equals('"' + physical.getText() + '"');
            Placement placement = new Placement(entity, kind, name,
                    physical == null || placeholder ? null : physical.getText(), physical != null);
            placements.add(placement);
            if (logical != null && TenantSchema.LOGICAL.equals(logical.getText()) && !placeholder) {
                problem(entity, "Entity " + entity + ": its " + kind.label + " " + name + " names schema \""
                        + TenantSchema.LOGICAL + "\" (TenantSchema.LOGICAL), but the physical naming strategy made it "
                        + (physical == null ? "no schema" : "\"" + physical.getText() + "\"") + " instead of the tenant's"
                        + " placeholder: hibernate.physical_naming_strategy must be TenantSchemaNamingStrategy, or a"
                        + " subclass of it that calls super.toPhysicalSchemaName");
            }
            if (owner != null && !owner.tenantScoped() && !placement.schemaNamed()) {
                problem(entity, "Entity " + entity + " is shared (schema " + owner.schema() + "), but its " + kind.label
                        + " " + name + " names no schema, so each tenant would have its own: name it in "
                        + kind.annotation + "(schema = \"" + owner.schema() + "\")");
            }
            return placement;
        }

        private void problem(String entity, String problem) {
            problems.add(problem);
            problemEntities.add(entity);
        }
    }
}
