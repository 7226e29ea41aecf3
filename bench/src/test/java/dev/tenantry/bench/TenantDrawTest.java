package dev.tenantry.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TenantDrawTest {

    private static double[] shares(double exponent, int tenants, int draws) {
        Harness.TenantDraw draw = new Harness.TenantDraw(exponent);
        SplittableRandom random = new SplittableRandom(7);
        double[] shares = new double[tenants];
        for (int i = 0; i < draws; i++) {
            shares[draw.next(tenants, random)] += 1.0 / draws;
        }
        return shares;
    }

    @Test
    void zipfDrawsTheTenantOfRankKInProportionToOneOverKToTheExponent() {
        double[] shares = shares(1.0, 1000, 2_000_000);
        double harmonic = 0;
        for (int k = 1; k <= 1000; k++) {
            harmonic += 1.0 / k;
        }
        assertThat(shares[0]).isCloseTo(1 / harmonic, within(0.002));
        assertThat(shares[1]).isCloseTo(0.5 / harmonic, within(0.002));
        assertThat(shares[9]).isCloseTo(0.1 / harmonic, within(0.001));
        assertThat(shares[999]).isGreaterThan(0);
    }

    @Test
    void exponentZeroIsUniform() {
        double[] shares = shares(0, 10, 1_000_000);
        for (double share : shares) {
            assertThat(share).isCloseTo(0.1, within(0.003));
        }
    }
}
