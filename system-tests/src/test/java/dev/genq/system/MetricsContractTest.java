package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every metric the Grafana dashboard and the Prometheus alert rules use (deploy/observability, listed in
 * metrics-used.txt, which deploy/validate.sh checks against the dashboard and the rules) is really
 * exported by the running services, so no panel or alert silently watches a series that does not exist.
 */
class MetricsContractTest {
    final Platform platform = Platform.get();

    @Test
    void everyMetricTheDashboardAndAlertsUseIsExported() throws Exception {
        String id = platform.submit("{\"prompt\":\"a metric\",\"steps\":2,\"num_samples\":2}");
        // a request, a job and two samples: HTTP timers, adherence scores and the job's diversity exist
        platform.awaitStatus(id, "succeeded", Duration.ofSeconds(60));
        String scraped = platform.metrics(platform.gatewayUrl) + platform.metrics(platform.workerUrl)
                + platform.metrics(platform.moderationUrl);
        Set<String> exported = new TreeSet<>();
        scraped.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                .forEach(l -> exported.add(l.split("[{ ]", 2)[0]));
        List<String> used = Files.readAllLines(platform.root().resolve("deploy/observability/metrics-used.txt")).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        Set<String> missing = new TreeSet<>(used);
        missing.removeAll(exported);
        assertEquals(Set.of(), missing, "used by the dashboard or alerts but not exported by any service");
    }
}
