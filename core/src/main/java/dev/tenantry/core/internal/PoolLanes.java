package dev.tenantry.core.internal;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.pool.HikariPool;
import dev.tenantry.core.PoolLane;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The pool of application work, divided into lanes, each a HikariCP pool of its own (so Hikari's metrics, health
 * checks, lifetimes and eviction work per lane). A tenant's work borrows from its lane ({@link LaneHashing}), so each
 * PostgreSQL backend caches the catalog and plans of its lane's tenants only.
 *
 * <p>Admission, per borrow: the tenant's own lane when it has an idle connection or may open one. When that lane is
 * full, the work waits on it (a wait, counted), but for a bounded time only: when another lane has an idle
 * connection, the work takes it (a spill-over, counted: the borrowing tenant's catalog then warms on a backend of
 * that lane) at once if the own lane's queue already holds as many borrows as the lane has connections, else after
 * waiting {@code spillAfter} in vain. A spill-over goes to the lane with most idle connections. When no lane has an
 * idle connection, the work waits on its own lane for the rest of HikariCP's acquire timeout. So a lane's tenants
 * keep to their lane under a steady load that fills it, and a burst, a hot tenant or work that holds one of its lane's
 * connections while it borrows another still finds the pool's idle connections. With one lane it is one HikariCP
 * pool and nothing else.
 *
 * <p>With a tenant bound per connection, each borrow also records the tenant on the physical connection (a
 * synchronized weak map and a small set of id hashes: one lookup per borrow); a connection that would serve one tenant
 * more than the bound is evicted through HikariCP before it is handed out, closing its backend, and another is
 * borrowed. A connection is only ever checked when it is borrowed, so it is never retired in the middle of work.
 *
 * <p>Each lane also counts the distinct tenants it served lately, and its connections prepare statements on the server
 * only while those fit in a connection's statement cache ({@link LaneStatements}). Not API: {@code Database} is.
 */
public final class PoolLanes implements DataSource, AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PoolLanes.class);

    private final Lane[] lanes;
    private final int tenantsPerConnection;
    /** How long a borrow waits on its full lane before it spills over to an idle one; 0 spills at once. */
    private final long spillAfterMillis;
    /** Distinct tenants per physical connection; null when not bounded. */
    private final Map<Connection, ServedTenants> served;
    /** Spreads tenantless borrows over the lanes when none has an idle connection. */
    private final AtomicInteger next = new AtomicInteger();

    /**
     * @param pools                one started HikariCP pool per lane, in lane order
     * @param maxConnections       each lane's maximum pool size, in lane order
     * @param tenantsPerConnection distinct tenants a connection may serve before it is retired; 0 for no bound
     * @param spillAfter           how long a borrow waits on its own full lane before it takes another lane's idle
     *                             connection; zero to take it at once
     * @param cacheTenants         how many tenants' statements one connection's statement cache holds, for deciding per
     *                             lane whether its connections prepare statements ({@link LaneStatements}); 0 to leave
     *                             the driver's prepare threshold as it is
     */
    public PoolLanes(List<HikariDataSource> pools, int[] maxConnections, int tenantsPerConnection, Duration spillAfter,
                     int cacheTenants) {
        if (pools.isEmpty() || pools.size() != maxConnections.length) {
            throw new IllegalArgumentException("one maximum size per lane, and one lane at least");
        }
        this.lanes = new Lane[pools.size()];
        for (int i = 0; i < lanes.length; i++) {
            HikariDataSource pool = pools.get(i);
            lanes[i] = new Lane(i, pool, maxConnections[i],
                    cacheTenants > 0 ? new LaneStatements(pool.getPoolName(), cacheTenants) : null);
        }
        this.tenantsPerConnection = tenantsPerConnection;
        // HikariCP waits in whole milliseconds: a grace under one rounds up to one.
        this.spillAfterMillis = spillAfter.isZero() ? 0 : Math.max(1, spillAfter.toMillis());
        if (lanes.length > 1 && spillAfterMillis > 0 && lanes[0].hikari == null) {
            LOG.warn("This HikariCP version does not expose its pool (getHikariPoolMXBean() is no HikariPool): a borrow"
                    + " whose lane is full waits for its own lane without the {} ms bound of TENANTRY_POOL_SPILL_AFTER,"
                    + " unless its lane's queue is long; set TENANTRY_POOL_SPILL_AFTER=0 to spill over at once",
                    spillAfterMillis);
        }
        this.served = tenantsPerConnection > 0 ? Collections.synchronizedMap(new WeakHashMap<>()) : null;
    }

    /** The lane whose connections serve {@code tenant} unless it spills over. */
    public int laneOf(String tenant) {
        return LaneHashing.laneOf(tenant, lanes.length);
    }

    /** A connection for {@code tenant}'s work: from its lane, or spilled over to an idle one (see the class comment). */
    public Connection connectionFor(String tenant) throws SQLException {
        Lane own = lanes[LaneHashing.laneOf(tenant, lanes.length)];
        if (lanes.length == 1 || own.hasRoom()) {
            return lent(own, own.pool.getConnection(), tenant);
        }
        boolean queueFull = own.queued.get() >= own.maxConnections;
        if (spillAfterMillis == 0 || queueFull) {
            Lane idle = mostIdle(own);
            if (idle != null) {
                return spill(own, idle, tenant);
            }
        }
        own.waits.increment();
        boolean bounded = spillAfterMillis > 0 && !queueFull && own.hikari != null && !own.pool.isClosed();
        Connection connection = null;
        Lane spillTo = null;
        own.queued.incrementAndGet();
        try {
            if (!bounded) {
                connection = own.pool.getConnection();
            } else {
                long started = System.nanoTime();
                try {
                    connection = own.hikari.getConnection(spillAfterMillis);
                } catch (SQLTransientConnectionException stillFull) {
                    // The bound has passed (HikariCP counts it as one of the lane's timeouts).
                    spillTo = mostIdle(own);
                    if (spillTo == null) {
                        long waited = (System.nanoTime() - started) / 1_000_000;
                        connection = own.hikari.getConnection(Math.max(1, own.pool.getConnectionTimeout() - waited));
                    }
                }
            }
        } finally {
            own.queued.decrementAndGet();
        }
        return connection != null ? lent(own, connection, tenant) : spill(own, spillTo, tenant);
    }

    /** Borrows from {@code idle} for work of lane {@code own}: a spill-over. */
    private Connection spill(Lane own, Lane idle, String tenant) throws SQLException {
        own.spillOvers.increment();
        return lent(idle, idle.pool.getConnection(), tenant);
    }

    /**
     * {@code connection}, lent by {@code lane}, once the tenant bound (if any) admits {@code tenant} to it, preparing
     * statements or not as the lane's recent tenants call for. The lending lane counts the tenant, spilled over or
     * not: what its connections' statement caches hold is what it lent them to.
     */
    private Connection lent(Lane lane, Connection connection, String tenant) throws SQLException {
        Connection admitted = served == null ? connection : admit(lane, connection, tenant);
        if (lane.statements != null) {
            lane.statements.record(tenant);
            try {
                lane.statements.apply(admitted);
            } catch (SQLException | RuntimeException e) {
                admitted.close();
                throw e;
            }
        }
        return admitted;
    }

    /** Hands out {@code connection} unless {@code tenant} would be one too many for it; then retires it and borrows again. */
    private Connection admit(Lane lane, Connection connection, String tenant) throws SQLException {
        int hash = tenant.hashCode();
        for (int attempt = 0; ; attempt++) {
            Connection physical = connection.unwrap(Connection.class);
            ServedTenants tenants = served.computeIfAbsent(physical, c -> new ServedTenants(lane.index));
            if (tenants.admit(hash, tenantsPerConnection) || attempt > lane.maxConnections) {
                return connection;
            }
            // Borrowed and not yet used: HikariCP closes it now and opens a replacement in the background.
            lane.pool.evictConnection(connection);
            served.remove(physical);
            lane.retired.increment();
            connection = lane.pool.getConnection();
        }
    }

    /** A connection for work of no tenant (the registry, metadata): from the lane with most idle connections. */
    @Override
    public Connection getConnection() throws SQLException {
        if (lanes.length == 1) {
            return lanes[0].pool.getConnection();
        }
        Lane lane = mostIdle(null);
        if (lane == null) {
            lane = lanes[Math.floorMod(next.getAndIncrement(), lanes.length)];
        }
        return lane.pool.getConnection();
    }

    /** The lane other than {@code except} with most idle connections, or null when none has one. */
    private Lane mostIdle(Lane except) {
        Lane best = null;
        int bestIdle = 0;
        for (Lane lane : lanes) {
            if (lane != except) {
                int idle = lane.mx.getIdleConnections();
                if (idle > bestIdle) {
                    bestIdle = idle;
                    best = lane;
                }
            }
        }
        return best;
    }

    /** The lanes' state now, in lane order. */
    public List<PoolLane> lanes() {
        int[] tenantsPerLane = new int[lanes.length];
        if (served != null) {
            synchronized (served) {
                for (Map.Entry<Connection, ServedTenants> entry : served.entrySet()) {
                    if (!closed(entry.getKey())) {
                        ServedTenants tenants = entry.getValue();
                        tenantsPerLane[tenants.lane] = Math.max(tenantsPerLane[tenants.lane], tenants.size());
                    }
                }
            }
        }
        List<PoolLane> result = new ArrayList<>(lanes.length);
        for (Lane lane : lanes) {
            HikariPoolMXBean mx = lane.mx;
            result.add(new PoolLane(lane.index, lane.pool.getPoolName(), lane.maxConnections, mx.getTotalConnections(),
                    mx.getActiveConnections(), mx.getIdleConnections(), mx.getThreadsAwaitingConnection(),
                    lane.waits.sum(), lane.spillOvers.sum(), lane.retired.sum(), tenantsPerLane[lane.index],
                    lane.statements == null ? -1 : lane.statements.recentTenants(),
                    lane.statements == null || lane.statements.prepares()));
        }
        return result;
    }

    private static boolean closed(Connection connection) {
        try {
            return connection.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    /** The lanes' HikariCP pools, in lane order: for binding their metrics. */
    public List<HikariDataSource> pools() {
        List<HikariDataSource> pools = new ArrayList<>(lanes.length);
        for (Lane lane : lanes) {
            pools.add(lane.pool);
        }
        return pools;
    }

    @Override
    public void close() {
        for (Lane lane : lanes) {
            lane.pool.close();
        }
    }

    /** Refused: every connection uses the configured credentials. */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("Tenantry's pool uses the configured user and password");
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return lanes[0].pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        for (Lane lane : lanes) {
            lane.pool.setLogWriter(out);
        }
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        for (Lane lane : lanes) {
            lane.pool.setLoginTimeout(seconds);
        }
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return lanes[0].pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return lanes[0].pool.getParentLogger();
    }

    /** This; with one lane also its HikariCP pool and what that wraps. With several, use {@link #pools()}. */
    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        if (lanes.length == 1) {
            return lanes[0].pool.unwrap(type);
        }
        throw new SQLException("the pool has " + lanes.length + " lanes, each a HikariCP pool of its own; it is no "
                + type.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || lanes.length == 1 && lanes[0].pool.isWrapperFor(type);
    }

    @Override
    public String toString() {
        return "PoolLanes[" + lanes.length + " lanes]";
    }

    /** One lane: its pool and what Tenantry counts about it. */
    private static final class Lane {

        final int index;
        final HikariDataSource pool;
        final HikariPoolMXBean mx;
        final int maxConnections;
        final LongAdder waits = new LongAdder();
        final LongAdder spillOvers = new LongAdder();
        final LongAdder retired = new LongAdder();
        /** Borrows waiting on this lane, their own, now. */
        final AtomicInteger queued = new AtomicInteger();
        /** The lane's pool itself, for a borrow that waits a bounded time; null if HikariCP ever hides it. */
        final HikariPool hikari;
        /** Whether the lane's connections prepare statements, from its recent tenants; null when not decided here. */
        final LaneStatements statements;

        Lane(int index, HikariDataSource pool, int maxConnections, LaneStatements statements) {
            this.index = index;
            this.pool = pool;
            this.mx = pool.getHikariPoolMXBean();
            this.hikari = mx instanceof HikariPool direct ? direct : null;
            this.maxConnections = maxConnections;
            this.statements = statements;
        }

        /** Whether a borrow would be served without waiting for another's work: an idle connection, or room for one. */
        boolean hasRoom() {
            return mx.getIdleConnections() > 0 || mx.getTotalConnections() < maxConnections;
        }
    }

    /**
     * The distinct tenants one physical connection has served, as a small open-addressing set of id hashes (two ids
     * with the same {@code String.hashCode} count once). Only touched by the thread that holds the connection and by
     * {@link #lanes()}, hence synchronized without contention.
     */
    private static final class ServedTenants {

        final int lane;
        private int[] slots = new int[16];
        private boolean zero;
        private int size;

        ServedTenants(int lane) {
            this.lane = lane;
        }

        /** Records {@code hash}; false, recording nothing, when it is new and {@code limit} are already recorded. */
        synchronized boolean admit(int hash, int limit) {
            if (hash == 0) {
                if (zero) {
                    return true;
                }
                if (size >= limit) {
                    return false;
                }
                zero = true;
                size++;
                return true;
            }
            int mask = slots.length - 1;
            int i = hash & mask;
            while (slots[i] != 0) {
                if (slots[i] == hash) {
                    return true;
                }
                i = (i + 1) & mask;
            }
            if (size >= limit) {
                return false;
            }
            slots[i] = hash;
            size++;
            if (size * 2 > slots.length) {
                grow();
            }
            return true;
        }

        private void grow() {
            int[] old = slots;
            slots = new int[old.length * 2];
            int mask = slots.length - 1;
            for (int hash : old) {
                if (hash != 0) {
                    int i = hash & mask;
                    while (slots[i] != 0) {
                        i = (i + 1) & mask;
                    }
                    slots[i] = hash;
                }
            }
        }

        synchronized int size() {
            return size;
        }
    }
}
