package dev.tenantry.it.support;

import dev.tenantry.entities.User;
import dev.tenantry.entities.Users;
import dev.tenantry.it.app.Note;
import dev.tenantry.tenancy.Tenants;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.hibernate.jpa.HibernateHints;

/**
 * Many threads, many tenants, random interleaving: every write is tagged with its tenant (the display
 * name is the tenant id, the email's domain is {@code <tenant>.example}) and every read is checked
 * against the tenant it ran in. At the end every tenant's table is read back with plain JDBC, straight
 * from PostgreSQL, and compared row by row with what the workers saw committed.
 *
 * <p>Each transaction is one of:
 * <ul>
 *   <li>write: create a user of the tenant;</li>
 *   <li>own lookup: find a user this tenant committed earlier, by id; it must be there;</li>
 *   <li>foreign lookup: find, by id, a user another tenant committed; it must not be there;</li>
 *   <li>scan: read the 25 newest users, all of which must belong to the tenant, and count them; the
 *       count must lie between what was committed before the transaction and what was attempted after it;</li>
 *   <li>native: count, in native SQL, the rows that do not belong to the tenant; it must be zero.</li>
 * </ul>
 * Half the transactions choose their tenant with {@code Tenants.in}, half with the
 * {@code org.hibernate.tenantId} property. Randomness is seeded per worker.
 *
 * <p>With {@link Settings#notes()}, every write also persists a {@link Note}, an entity that names no schema and takes
 * its id from a sequence that names none, tagged with its tenant; scans read the newest notes and count them the same
 * way, and the read-back checks each tenant's {@code notes} table too.
 */
public final class IsolationSoak {

    /**
     * What one run is asked to do.
     *
     * @param notes whether the factory also maps {@link Note} (and the tenants' schemas hold its {@code notes} table),
     *              to be written and read alongside the users
     */
    public record Settings(String label, int transactions, int threads, List<String> tenants, long seed,
                           String nativeUsersTable, boolean notes) {
        public Settings {
            tenants = List.copyOf(tenants);
            if (tenants.size() < 2) {
                throw new IllegalArgumentException("a soak needs at least two tenants");
            }
        }

        /** Users only. */
        public Settings(String label, int transactions, int threads, List<String> tenants, long seed,
                        String nativeUsersTable) {
            this(label, transactions, threads, tenants, seed, nativeUsersTable, false);
        }
    }

    /** What one run saw; {@link #leaks()} and {@link #lostRows()} must be zero for a layer that isolates. */
    public record Result(Settings settings, long transactions, long writesCommitted, long reads, long foreignRowsRead,
                         long foreignIdsFound, long ownIdsMissing, long countsOutOfBounds, long nativeForeignRows,
                         long foreignRowsAtEnd, long lostRows, long unexpectedRows, long errors,
                         Map<String, Long> errorKinds, List<String> errorSamples, Map<String, Integer> rowsPerTenant,
                         Map<String, Integer> committedPerTenant, double seconds) {

        /** Cross-tenant reads seen by the workers. */
        public long crossTenantReads() {
            return foreignRowsRead + foreignIdsFound + ownIdsMissing + countsOutOfBounds + nativeForeignRows;
        }

        /** Every sign of one tenant's work reaching another tenant's rows, during the run or at the end. */
        public long leaks() {
            return crossTenantReads() + foreignRowsAtEnd;
        }

        public double transactionsPerSecond() {
            return transactions / seconds;
        }

        public String summary() {
            return String.format("[reliability] soak %s: %d transactions (%d writes committed, %d reads), %d threads,"
                            + " %d tenants, %.1f s, %.0f tx/s; cross-tenant reads %d (foreign rows %d, foreign ids found %d,"
                            + " own ids missing %d, counts out of bounds %d, native %d), cross-tenant writes %d, rows lost %d,"
                            + " unexpected rows %d, errors %d%s",
                    settings.label(), transactions, writesCommitted, reads, settings.threads(), settings.tenants().size(),
                    seconds, transactionsPerSecond(), crossTenantReads(), foreignRowsRead, foreignIdsFound, ownIdsMissing,
                    countsOutOfBounds, nativeForeignRows, foreignRowsAtEnd, lostRows, unexpectedRows, errors,
                    errorKinds.isEmpty() ? "" : " " + errorKinds);
        }
    }

    /** Opens one connection straight to PostgreSQL, for the final read-back. */
    @FunctionalInterface
    public interface DirectConnection {
        Connection open() throws SQLException;
    }

    private static final int KNOWN_IDS = 512;
    private static final int SCAN_SIZE = 25;

    private final Settings settings;
    private final EntityManagerFactory emf;
    private final Map<String, TenantLedger> ledgers = new LinkedHashMap<>();
    private final LongAdder transactions = new LongAdder();
    private final LongAdder reads = new LongAdder();
    private final LongAdder foreignRowsRead = new LongAdder();
    private final LongAdder foreignIdsFound = new LongAdder();
    private final LongAdder ownIdsMissing = new LongAdder();
    private final LongAdder countsOutOfBounds = new LongAdder();
    private final LongAdder nativeForeignRows = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final Map<String, LongAdder> errorKinds = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();

    /** What the workers know about one tenant. */
    private static final class TenantLedger {
        final String tenant;
        final ConcurrentLinkedQueue<UUID> committed = new ConcurrentLinkedQueue<>();
        final AtomicLong committedCount = new AtomicLong();
        final AtomicLong attemptedCount = new AtomicLong();
        final AtomicReferenceArray<UUID> recent = new AtomicReferenceArray<>(KNOWN_IDS);
        final AtomicLong recentCursor = new AtomicLong();

        TenantLedger(String tenant) {
            this.tenant = tenant;
        }

        void remember(UUID id) {
            committed.add(id);
            recent.set((int) (recentCursor.getAndIncrement() % KNOWN_IDS), id);
            committedCount.incrementAndGet();
        }

        UUID someKnownId(Random random) {
            long filled = Math.min(recentCursor.get(), KNOWN_IDS);
            return filled == 0 ? null : recent.get(random.nextInt((int) filled));
        }
    }

    private IsolationSoak(Settings settings, EntityManagerFactory emf) {
        this.settings = settings;
        this.emf = emf;
        settings.tenants().forEach(t -> ledgers.put(t, new TenantLedger(t)));
    }

    /**
     * Runs the soak over {@code emf}, then reads every tenant's rows back through {@code direct}.
     *
     * @param emf    a factory whose EntityManagers choose their tenant from {@code Tenants} or from the
     *               {@code org.hibernate.tenantId} property
     * @param direct plain JDBC straight to PostgreSQL (not through a pooler), for the final check
     */
    public static Result run(Settings settings, EntityManagerFactory emf, DirectConnection direct) throws Exception {
        return new IsolationSoak(settings, emf).execute(direct);
    }

    /** The soak size from a system property, for CI-sized and full-sized runs of the same test. */
    public static int size(String property, int defaultSize) {
        return Integer.getInteger(property, defaultSize);
    }

    private Result execute(DirectConnection direct) throws Exception {
        ExecutorService workers = Executors.newFixedThreadPool(settings.threads(), runnable -> {
            Thread thread = new Thread(runnable, "soak-worker");
            thread.setDaemon(true);
            return thread;
        });
        long start = System.nanoTime();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int worker = 0; worker < settings.threads(); worker++) {
                int share = settings.transactions() / settings.threads()
                        + (worker < settings.transactions() % settings.threads() ? 1 : 0);
                int workerId = worker;
                done.add(workers.submit(() -> {
                    work(workerId, share);
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            workers.shutdownNow();
            workers.awaitTermination(30, TimeUnit.SECONDS);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return readBack(direct, seconds);
    }

    private void work(int workerId, int count) {
        Random random = new Random(settings.seed() * 1_000_003L + workerId);
        List<String> tenants = settings.tenants();
        for (int n = 0; n < count; n++) {
            String tenant = tenants.get(random.nextInt(tenants.size()));
            boolean viaScope = random.nextBoolean();
            int dice = random.nextInt(100);
            try {
                if (dice < 35) {
                    write(tenant, viaScope, workerId, n);
                } else if (dice < 60) {
                    ownLookup(tenant, viaScope, random, workerId, n);
                } else if (dice < 75) {
                    foreignLookup(tenant, viaScope, random);
                } else if (dice < 95) {
                    scan(tenant, viaScope);
                } else {
                    nativeCount(tenant, viaScope);
                }
            } catch (RuntimeException e) {
                errors.increment();
                Throwable root = e;
                while (root.getCause() != null && root.getCause() != root) {
                    root = root.getCause();
                }
                errorKinds.computeIfAbsent(e.getClass().getSimpleName() + "<-" + root.getClass().getSimpleName()
                        + sqlState(e), k -> new LongAdder()).increment();
                if (errorSamples.size() < 5) {
                    errorSamples.add(tenant + ": " + e + " / root: " + root);
                }
            } finally {
                transactions.increment();
            }
        }
    }

    private static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException && ((SQLException) t).getSQLState() != null) {
                return "(" + ((SQLException) t).getSQLState() + ")";
            }
        }
        return "";
    }

    private <T> T inTenant(String tenant, boolean viaScope, Function<EntityManager, T> work) {
        if (viaScope) {
            return Tenants.in(tenant, () -> emf.callInTransaction(work));
        }
        try (EntityManager em = emf.createEntityManager(Map.of(HibernateHints.HINT_TENANT_ID, tenant))) {
            EntityTransaction tx = em.getTransaction();
            tx.begin();
            try {
                T result = work.apply(em);
                tx.commit();
                return result;
            } catch (RuntimeException e) {
                if (tx.isActive()) {
                    try {
                        tx.rollback();
                    } catch (RuntimeException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                throw e;
            }
        }
    }

    private void write(String tenant, boolean viaScope, int workerId, int n) {
        TenantLedger ledger = ledgers.get(tenant);
        String email = tenant + ".w" + workerId + ".n" + n + "@" + tenant + ".example";
        ledger.attemptedCount.incrementAndGet();
        UUID id = inTenant(tenant, viaScope, em -> {
            User user = new Users(em).create(email, tenant);
            if (settings.notes()) {
                em.persist(new Note(tenant));
            }
            em.flush();
            return user.id();
        });
        ledger.remember(id);
    }

    private void ownLookup(String tenant, boolean viaScope, Random random, int workerId, int n) {
        UUID id = ledgers.get(tenant).someKnownId(random);
        if (id == null) {
            write(tenant, viaScope, workerId, n);
            return;
        }
        String found = inTenant(tenant, viaScope, em -> {
            User user = em.find(User.class, id);
            return user == null ? null : user.displayName();
        });
        reads.increment();
        if (found == null) {
            ownIdsMissing.increment();
        } else if (!found.equals(tenant)) {
            foreignRowsRead.increment();
        }
    }

    private void foreignLookup(String tenant, boolean viaScope, Random random) {
        List<String> tenants = settings.tenants();
        String other = tenants.get(random.nextInt(tenants.size()));
        if (other.equals(tenant)) {
            other = tenants.get((tenants.indexOf(tenant) + 1) % tenants.size());
        }
        UUID foreignId = ledgers.get(other).someKnownId(random);
        if (foreignId == null) {
            scan(tenant, viaScope);
            return;
        }
        boolean found = inTenant(tenant, viaScope, em -> em.find(User.class, foreignId) != null);
        reads.increment();
        if (found) {
            foreignIdsFound.increment();
        }
    }

    private void scan(String tenant, boolean viaScope) {
        TenantLedger ledger = ledgers.get(tenant);
        long lower = ledger.committedCount.get();
        record Scan(List<User> newest, long count, List<String> newestNotes, long notes) {
        }
        Scan scan = inTenant(tenant, viaScope, em -> new Scan(
                em.createQuery("select u from User u order by u.id desc", User.class).setMaxResults(SCAN_SIZE).getResultList(),
                new Users(em).count(),
                settings.notes() ? em.createQuery("select n.body from Note n order by n.id desc", String.class)
                        .setMaxResults(SCAN_SIZE).getResultList() : List.of(),
                settings.notes() ? em.createQuery("select count(n) from Note n", Long.class).getSingleResult() : lower));
        long upper = ledger.attemptedCount.get();
        reads.increment();
        String domain = "@" + tenant + ".example";
        for (User user : scan.newest()) {
            if (!tenant.equals(user.displayName()) || !user.email().endsWith(domain)) {
                foreignRowsRead.increment();
            }
        }
        if (scan.count() < lower || scan.count() > upper) {
            countsOutOfBounds.increment();
        }
        for (String body : scan.newestNotes()) {
            if (!tenant.equals(body)) {
                foreignRowsRead.increment();
            }
        }
        if (scan.notes() < lower || scan.notes() > upper) {
            countsOutOfBounds.increment();
        }
    }

    private void nativeCount(String tenant, boolean viaScope) {
        Number foreign = inTenant(tenant, viaScope, em -> (Number) em.createNativeQuery(
                        "select count(*) from " + settings.nativeUsersTable() + " where display_name <> ?1 or email not like ?2")
                .setParameter(1, tenant)
                .setParameter(2, "%@" + tenant + ".example")
                .getSingleResult());
        reads.increment();
        nativeForeignRows.add(foreign.longValue());
    }

    private Result readBack(DirectConnection direct, double seconds) throws SQLException {
        long foreignAtEnd = 0;
        long lost = 0;
        long unexpected = 0;
        long writes = 0;
        Map<String, Integer> rowsPerTenant = new LinkedHashMap<>();
        Map<String, Integer> committedPerTenant = new LinkedHashMap<>();
        try (Connection connection = direct.open(); Statement statement = connection.createStatement()) {
            for (TenantLedger ledger : ledgers.values()) {
                Set<UUID> committed = new HashSet<>(ledger.committed);
                writes += committed.size();
                committedPerTenant.put(ledger.tenant, committed.size());
                Set<UUID> present = new HashSet<>();
                String domain = "@" + ledger.tenant + ".example";
                try (ResultSet rows = statement.executeQuery("select id, display_name, email from \"" + ledger.tenant + "\".users")) {
                    while (rows.next()) {
                        UUID id = rows.getObject(1, UUID.class);
                        present.add(id);
                        if (!ledger.tenant.equals(rows.getString(2)) || !rows.getString(3).endsWith(domain)) {
                            foreignAtEnd++;
                        } else if (!committed.contains(id)) {
                            unexpected++;
                        }
                    }
                }
                rowsPerTenant.put(ledger.tenant, present.size());
                for (UUID id : committed) {
                    if (!present.contains(id)) {
                        lost++;
                    }
                }
                if (settings.notes()) {
                    // Each committed write committed one note with it, so the tenant's notes are exactly as many.
                    try (ResultSet rows = statement.executeQuery("select count(*) filter (where body = '" + ledger.tenant
                            + "'), count(*) filter (where body <> '" + ledger.tenant + "') from \"" + ledger.tenant + "\".notes")) {
                        rows.next();
                        long own = rows.getLong(1);
                        foreignAtEnd += rows.getLong(2);
                        lost += Math.max(0, committed.size() - own);
                        unexpected += Math.max(0, own - committed.size());
                    }
                }
            }
        }
        Map<String, Long> kinds = new HashMap<>();
        errorKinds.forEach((k, v) -> kinds.put(k, v.sum()));
        return new Result(settings, transactions.sum(), writes, reads.sum(), foreignRowsRead.sum(), foreignIdsFound.sum(),
                ownIdsMissing.sum(), countsOutOfBounds.sum(), nativeForeignRows.sum(), foreignAtEnd, lost, unexpected,
                errors.sum(), kinds, List.copyOf(errorSamples), rowsPerTenant, committedPerTenant, seconds);
    }

    /** {@code count} tenant ids {@code prefix0 ... prefixN}. */
    public static List<String> tenants(String prefix, int count) {
        List<String> tenants = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            tenants.add(prefix + i);
        }
        return tenants;
    }

    @Override
    public String toString() {
        return "IsolationSoak[" + Objects.toString(settings.label()) + "]";
    }
}
