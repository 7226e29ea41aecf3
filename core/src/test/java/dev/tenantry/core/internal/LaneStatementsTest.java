package dev.tenantry.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** A lane counts its recent tenants closely enough to decide, and only changes its mind past a margin. */
class LaneStatementsTest {

    /** Records one window (8 x capacity borrows) of tenants drawn uniformly from {@code tenants} ids. */
    private static void window(LaneStatements lane, int capacity, int tenants, Random random) {
        for (int i = 0; i < 8 * capacity; i++) {
            lane.record("tenant_" + random.nextInt(tenants));
        }
    }

    @Test
    void nothingIsDecidedBeforeTheFirstWindowCloses() {
        LaneStatements lane = new LaneStatements("lane", 512);
        for (int i = 0; i < 8 * 512 - 1; i++) {
            lane.record("tenant_" + i);
        }

        assertThat(lane.recentTenants()).isEqualTo(-1);
        assertThat(lane.prepares()).isTrue();

        lane.record("one_more");

        assertThat(lane.prepares()).isFalse();
    }

    @Test
    void aLaneWhoseTenantsFitItsCacheKeepsPreparing() {
        LaneStatements lane = new LaneStatements("lane", 512);
        Random random = new Random(1);

        window(lane, 512, 250, random);

        assertThat(lane.prepares()).isTrue();
        assertThat(lane.recentTenants()).as("250 tenants, each drawn about 16 times").isBetween(235, 265);
    }

    @Test
    void aLaneWhoseTenantsOutgrowItsCacheStopsPreparing() {
        LaneStatements lane = new LaneStatements("lane", 512);
        Random random = new Random(2);

        window(lane, 512, 2_500, random);

        assertThat(lane.prepares()).isFalse();
        // 4,096 draws from 2,500 ids meet about 2,500 x (1 - e^-1.64) = 2,024 of them; the bitmap has 2,048 bits.
        assertThat(lane.recentTenants()).isBetween(1_800, 2_300);
    }

    @Test
    void itPreparesAgainOnlyWhenItsTenantsFallWellWithinTheCache() {
        LaneStatements lane = new LaneStatements("lane", 512);
        Random random = new Random(3);
        window(lane, 512, 2_500, random);
        assertThat(lane.prepares()).isFalse();

        window(lane, 512, 480, random);
        assertThat(lane.recentTenants()).isBetween(430, 500);
        assertThat(lane.prepares()).as("under the capacity, but not under three quarters of it").isFalse();

        window(lane, 512, 300, random);
        assertThat(lane.prepares()).isTrue();

        window(lane, 512, 480, random);
        assertThat(lane.prepares()).as("once preparing, it stops only past the capacity").isTrue();
    }

    @Test
    void aWindowWithEveryBitSetCountsAsMoreThanTheCacheHolds() {
        LaneStatements lane = new LaneStatements("lane", 1);
        for (int i = 0; i < 8; i++) {
            lane.record("tenant_" + i);
        }

        assertThat(lane.prepares()).as("8 tenants against a capacity of 1").isFalse();
    }
}
