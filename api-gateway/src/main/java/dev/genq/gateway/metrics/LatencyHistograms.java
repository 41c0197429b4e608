package dev.genq.gateway.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * Histogram buckets for the gateway's request timer, so dashboards and alerts can compute p95/p99
 * across gateways (histogram_quantile) instead of a mean. A few fixed buckets keep the series count low.
 */
@Singleton
public class LatencyHistograms {
    static final double[] BUCKETS = Stream.of(2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500)
            .mapToDouble(ms -> Duration.ofMillis(ms).toNanos()).toArray();

    @Produces
    @Singleton
    MeterFilter requestLatencyBuckets() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!"http.server.requests".equals(id.getName())) {
                    return config;
                }
                return DistributionStatisticConfig.builder().serviceLevelObjectives(BUCKETS).build().merge(config);
            }
        };
    }
}
