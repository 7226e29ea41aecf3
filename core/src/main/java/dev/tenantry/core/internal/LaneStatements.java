package dev.tenantry.core.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.postgresql.PGProperty;
import org.postgresql.jdbc.PgConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether one lane's connections prepare statements on the server: only while the tenants the lane served lately fit
 * in a connection's statement cache. Each tenant's statements are texts of their own, so a connection whose lane
 * serves more tenants than its cache holds keeps evicting texts it has just prepared: PostgreSQL parses and plans each
 * of them again, keeps a named statement that is dropped before it ever runs on a generic plan, and pgjdbc spends a
 * round trip closing it. Not preparing at all is cheaper then (measured at 10,000 tenants: docs/benchmarks.md).
 *
 * <p>The lane counts the distinct tenants among the last {@code 8 x capacity} it lent a connection to, its own or
 * spilled over (linear counting over a bitmap of about {@code 4 x capacity} bits: one bit set per loan, no
 * allocation). When a window counts more than {@code capacity} tenants, the lane's connections stop preparing
 * (pgjdbc's prepare threshold is raised out of reach on each connection as it is lent); when a later window counts
 * three quarters of it or fewer, they prepare again at pgjdbc's threshold. Statements already prepared stay usable
 * until pgjdbc evicts them. A connection whose threshold is 0 (behind a transaction pooler: {@link
 * NamedStatementGuard}) is never touched. Not API.
 */
final class LaneStatements {

    private static final Logger LOG = LoggerFactory.getLogger(LaneStatements.class);
    /** pgjdbc's own threshold: a text is prepared at its fifth execution on a connection. */
    static final int PREPARE_AT = Integer.parseInt(PGProperty.PREPARE_THRESHOLD.getDefaultValue());
    /** A threshold no statement reaches: nothing more is prepared, and no statement uses the unnamed one differently. */
    static final int NEVER = Integer.MAX_VALUE;

    private final String lane;
    private final int capacity;
    private final int window;
    private final AtomicLongArray bits;
    private final int bitMask;
    private final AtomicInteger borrows = new AtomicInteger();
    private volatile boolean prepares = true;
    /** Distinct tenants counted in the last complete window; -1 before the first. */
    private volatile int recentTenants = -1;

    /**
     * @param lane     the lane's pool name, for the log
     * @param capacity how many tenants' statements one connection's cache holds, at least 1
     */
    LaneStatements(String lane, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.lane = lane;
        this.capacity = capacity;
        this.window = (int) Math.min(1 << 30, 8L * capacity);
        int size = Integer.highestOneBit((int) Math.min(1 << 26, Math.max(64L, 4L * capacity) * 2 - 1));
        this.bits = new AtomicLongArray(size / 64);
        this.bitMask = size - 1;
    }

    /** Counts a connection of this lane lent to {@code tenant}'s work, its own tenant's or spilled over. */
    void record(String tenant) {
        // Salted, so that the bit does not follow the lane the same key chose.
        int bit = (int) LaneHashing.mix(LaneHashing.key(tenant) ^ 0xD6E8FEB86659FD93L) & bitMask;
        int word = bit >>> 6;
        long mask = 1L << bit;
        if ((bits.get(word) & mask) == 0) {
            bits.getAndAccumulate(word, mask, (a, b) -> a | b);
        }
        if (borrows.incrementAndGet() == window) {
            closeWindow();
        }
    }

    /** Counts the window's tenants, decides, and starts the next window. Borrows recorded meanwhile may count in either. */
    private void closeWindow() {
        int zeros = 0;
        for (int i = 0; i < bits.length(); i++) {
            zeros += Long.bitCount(~bits.getAndSet(i, 0));
        }
        borrows.set(0);
        int size = bits.length() * 64;
        int tenants = zeros == 0 ? Integer.MAX_VALUE : (int) Math.round(-size * Math.log((double) zeros / size));
        recentTenants = tenants;
        boolean before = prepares;
        boolean now = before ? tenants <= capacity : tenants <= capacity * 3 / 4;
        if (now != before) {
            prepares = now;
            String counted = tenants == Integer.MAX_VALUE ? "more than " + size : "about " + tenants;
            LOG.info("Pool lane {} served {} distinct tenants in the last {} borrows it served, {} the {} whose"
                    + " statements a connection's cache holds (TENANTRY_STATEMENT_CACHE): its connections {}", lane,
                    counted, window, now ? "within" : "more than", capacity, now
                            ? "prepare statements on the server again"
                            : "stop preparing statements on the server, which would be evicted before they paid off");
        }
    }

    /** Gives {@code connection}, lent by this lane, the prepare threshold the lane's recent tenants call for. */
    void apply(Connection connection) throws SQLException {
        PgConnection driver = connection.unwrap(PgConnection.class);
        int threshold = driver.getPrepareThreshold();
        if (threshold <= 0 || driver.getForceBinary()) {
            return; // kept unnamed behind a pooler, or set by the user: not ours to change
        }
        int wanted = prepares ? PREPARE_AT : NEVER;
        if (threshold != wanted) {
            driver.setPrepareThreshold(wanted);
        }
    }

    /** Whether the lane's connections prepare statements on the server now. */
    boolean prepares() {
        return prepares;
    }

    /** Distinct tenants counted in the lane's last complete window of borrows; -1 before the first window closed. */
    int recentTenants() {
        return recentTenants;
    }
}
