package dev.tenantry.core.internal;

/**
 * Maps a tenant id to one of a pool's lanes by rendezvous (highest random weight) hashing: each lane scores the
 * tenant with a hash of both, and the highest score wins. The lane depends on the id and the number of lanes only, so
 * it is the same in every process and after every restart, adding tenants moves none, and going from {@code n} to
 * {@code n + 1} lanes moves only the tenants the new lane wins (about one in {@code n + 1}). Costs one multiply-xor
 * mix per lane and no allocation. Not API.
 */
public final class LaneHashing {

    private LaneHashing() {
    }

    /** The lane of {@code tenant}, from 0 to {@code lanes - 1}. */
    public static int laneOf(String tenant, int lanes) {
        if (lanes == 1) {
            return 0;
        }
        long key = key(tenant);
        int best = 0;
        long bestScore = Long.MIN_VALUE;
        for (int lane = 0; lane < lanes; lane++) {
            long score = mix(key ^ (lane + 1) * 0xC2B2AE3D27D4EB4FL);
            if (score > bestScore) {
                bestScore = score;
                best = lane;
            }
        }
        return best;
    }

    /** A well-spread 64-bit key of {@code tenant}'s id, from its {@code String.hashCode} and length. */
    static long key(String tenant) {
        return mix(tenant.hashCode() * 0x9E3779B97F4A7C15L + tenant.length());
    }

    /** The finalizer of SplitMix64: spreads every input bit over the whole word. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
