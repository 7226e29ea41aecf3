package dev.tenantry.core;

/**
 * What one lane of the pool is doing, read at one moment (see {@link Database#lanes()}): its HikariCP pool's
 * connections, and what Tenantry counted since the pool opened. Per deployment, and with {@code TENANTRY_POOL_LANES=1},
 * the whole pool is one lane.
 *
 * @param index                the lane, from 0; tenants find theirs by hashing their id
 * @param poolName             the lane's HikariCP pool ({@code tenantry}, or {@code tenantry-lane-N} with several lanes)
 * @param maxConnections       the lane's share of {@code TENANTRY_POOL_MAX_SIZE}
 * @param connections          open connections, in use or idle
 * @param active               connections in use
 * @param idle                 connections ready to be borrowed
 * @param threadsWaiting       threads waiting for one of the lane's connections now
 * @param waits                borrows that found this lane, their own, full and queued on it (some of them then
 *                             spilled over after {@code TENANTRY_POOL_SPILL_AFTER})
 * @param spillOvers           borrows by this lane's tenants that another lane's idle connection served, because this
 *                             lane was full and its queue long, or stayed full for {@code TENANTRY_POOL_SPILL_AFTER}
 * @param retired              connections retired after serving {@code TENANTRY_POOL_TENANTS_PER_CONNECTION} tenants
 * @param tenantsPerConnection the most distinct tenants one open connection of the lane has served; counted only with
 *                             {@code TENANTRY_POOL_TENANTS_PER_CONNECTION} set, else 0
 * @param recentTenants        distinct tenants among the lane's last loans (a window of eight times the tenants a
 *                             connection's statement cache holds), estimated; -1 before the first window, and when
 *                             Tenantry leaves statement preparation to the driver (per deployment, with
 *                             {@code TENANTRY_STATEMENT_CACHE=0}, or with {@code prepareThreshold} in the URL)
 * @param preparesStatements   false while Tenantry keeps the lane's connections from preparing statements on the
 *                             server, because its recent tenants need more than their statement cache holds; true
 *                             otherwise (they then prepare as the driver's settings say, none behind a pooler)
 */
public record PoolLane(int index, String poolName, int maxConnections, int connections, int active, int idle,
                       int threadsWaiting, long waits, long spillOvers, long retired, int tenantsPerConnection,
                       int recentTenants, boolean preparesStatements) {
}
