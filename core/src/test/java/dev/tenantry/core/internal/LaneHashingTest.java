package dev.tenantry.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tenants spread evenly over the lanes, keep their lane, and move only to a lane that is added. */
class LaneHashingTest {

    private static final int TENANTS = 20_000;

    private static String tenant(int i) {
        return "tenant-" + i;
    }

    @Test
    void tenantsSpreadEvenlyOverTheLanes() {
        for (int lanes : new int[] {2, 3, 4, 5, 7, 10, 31}) {
            int[] counts = new int[lanes];
            for (int i = 0; i < TENANTS; i++) {
                counts[LaneHashing.laneOf(tenant(i), lanes)]++;
            }
            double even = (double) TENANTS / lanes;
            for (int lane = 0; lane < lanes; lane++) {
                assertThat(counts[lane]).as("lane %d of %d", lane, lanes).isBetween((int) (even * 0.9), (int) (even * 1.1));
            }
        }
    }

    @Test
    void shortAndSimilarIdsSpreadToo() {
        int[] counts = new int[4];
        for (char c = 'a'; c <= 'z'; c++) {
            for (char d = 'a'; d <= 'z'; d++) {
                counts[LaneHashing.laneOf("" + c + d, 4)]++;
            }
        }
        for (int count : counts) {
            assertThat(count).isBetween(676 / 4 * 8 / 10, 676 / 4 * 12 / 10);
        }
    }

    @Test
    void aTenantsLaneDependsOnItsIdAndTheNumberOfLanesOnly() {
        Map<String, Integer> first = new HashMap<>();
        for (int i = 0; i < 1_000; i++) {
            first.put(tenant(i), LaneHashing.laneOf(tenant(i), 5));
        }
        for (int i = 999; i >= 0; i--) {
            assertThat(LaneHashing.laneOf(new String(tenant(i).toCharArray()), 5)).isEqualTo(first.get(tenant(i)));
        }
        assertThat(LaneHashing.laneOf("acme", 1)).isZero();
    }

    @Test
    void addingALaneMovesTenantsOnlyToTheNewLane() {
        int moved = 0;
        for (int i = 0; i < TENANTS; i++) {
            int before = LaneHashing.laneOf(tenant(i), 4);
            int after = LaneHashing.laneOf(tenant(i), 5);
            if (before != after) {
                assertThat(after).as("a moved tenant goes to the new lane").isEqualTo(4);
                moved++;
            }
        }
        assertThat(moved).as("about one in five").isBetween(TENANTS / 5 * 9 / 10, TENANTS / 5 * 11 / 10);
    }
}
