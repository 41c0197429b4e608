package dev.genq.gateway.canary;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genq.gateway.canary.CanaryVerdict.Decision;
import dev.genq.gateway.metrics.GatewayMeters;
import dev.genq.gateway.webhook.WebhookDeliveries;
import dev.genq.gateway.webhook.WebhookDispatcher;
import dev.genq.storage.model.ModelRollout;
import dev.genq.storage.model.Rollouts;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Watches every canary that takes a share with analysis on: every {@code interval} it reads the window since the
 * rollout last changed, asks the {@link CanaryJudge}, and acts on a decision at once. A rollback sets the canary's
 * share to 0 (jobs already pinned finish on their version); a promotion makes the canary stable. Each decision is a
 * rollout change by {@code canary-analysis} with its statistics, and a {@code model.canary.rolled_back} or
 * {@code model.canary.promoted} webhook to the operator, in one transaction. An operator's change always wins: it
 * starts a new window, a decision is only written if no change came in since the window began, and
 * {@code canary_analysis: false} holds the analysis off for that rollout. Several gateways may analyse side by side.
 */
@ApplicationScoped
public class CanaryAnalyzer {
    private static final Logger LOG = Logger.getLogger(CanaryAnalyzer.class);
    public static final String ROLLED_BACK = "model.canary.rolled_back";
    public static final String PROMOTED = "model.canary.promoted";

    /** What was decided about one canary, and whether it was written (false: the rollout moved on meanwhile). */
    public record Outcome(Rollouts.Watched watched, CanaryVerdict verdict, Optional<Long> change) {
    }

    private final Rollouts rollouts;
    private final CanaryWindow window;
    private final CanaryJudge judge;
    private final CanaryAnalysisSettings settings;
    private final WebhookDeliveries deliveries;
    private final WebhookDispatcher dispatcher;
    private final ObjectMapper json;
    private final GatewayMeters meters;

    public CanaryAnalyzer(Rollouts rollouts, CanaryWindow window, CanaryAnalysisSettings settings, WebhookDeliveries deliveries,
                          WebhookDispatcher dispatcher, ObjectMapper json, GatewayMeters meters) {
        this.meters = meters;
        this.rollouts = rollouts;
        this.window = window;
        this.settings = settings;
        this.deliveries = deliveries;
        this.dispatcher = dispatcher;
        this.json = json;
        this.judge = new CanaryJudge(settings);
    }

    @Scheduled(every = "{genq.canary-analysis.interval}", delayed = "{genq.canary-analysis.interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Disabled.class)
    void scheduled() {
        try {
            analyze();
        } catch (RuntimeException e) {
            LOG.warnf("canary analysis failed (%s); it runs again in %s", e.getMessage(), settings.interval());
        }
    }

    /** Skips the scheduled round where analysis is off. */
    @ApplicationScoped
    public static class Disabled implements Scheduled.SkipPredicate {
        private final CanaryAnalysisSettings settings;

        public Disabled(CanaryAnalysisSettings settings) {
            this.settings = settings;
        }

        @Override
        public boolean test(io.quarkus.scheduler.ScheduledExecution execution) {
            return !settings.enabled();
        }
    }

    /** One round over every watched canary. @return what was concluded about each */
    public List<Outcome> analyze() {
        List<Outcome> outcomes = new ArrayList<>();
        for (Rollouts.Watched watched : QuarkusTransaction.requiringNew().call(rollouts::watched)) {
            try {
                outcomes.add(analyze(watched));
            } catch (RuntimeException e) { // one model's trouble does not hold back the others
                LOG.warnf("canary analysis of %s failed (%s)", watched.model(), e.getMessage());
            }
        }
        return outcomes;
    }

    private Outcome analyze(Rollouts.Watched watched) {
        Outcome outcome = QuarkusTransaction.requiringNew().call(() -> {
            CanaryVerdict verdict = judge.judge(watched.canaryShare(), window.read(watched, settings.slowFactor()));
            if (verdict.decision() == Decision.WAIT) {
                return new Outcome(watched, verdict, Optional.empty());
            }
            ModelRollout.Entry entry = verdict.decision() == Decision.ROLL_BACK
                    ? new ModelRollout.Entry(watched.stableVersion(), watched.canaryVersion(), 0)
                    : new ModelRollout.Entry(watched.canaryVersion(), null, 0);
            Optional<Long> id = rollouts.decide(watched, entry, verdict.reason(), write(verdict));
            id.ifPresent(changeId -> settings.webhookUrl().ifPresent(url -> deliveries.enqueueOperatorEvent(
                    verdict.decision() == Decision.ROLL_BACK ? ROLLED_BACK : PROMOTED, Long.toString(changeId), url,
                    new DecisionNotice(watched.model(), verdict.decision().wire(), watched.stableVersion(), watched.canaryVersion(),
                            changeId, verdict))));
            return new Outcome(watched, verdict, id);
        });
        if (outcome.change().isPresent()) {
            meters.canaryDecisions(outcome.verdict().decision().wire()).increment();
            rollouts.forget();
            dispatcher.wake();
            LOG.infof("canary analysis: %s %s@%s (stable %s): %s", outcome.verdict().decision().wire(), watched.model(),
                    watched.canaryVersion(), watched.stableVersion(), outcome.verdict().reason());
        }
        return outcome;
    }

    /** The operator's webhook body. */
    public record DecisionNotice(String model, String decision, String stableVersion, String canaryVersion, long changeId,
                                 CanaryVerdict statistics) {
    }

    private String write(CanaryVerdict verdict) {
        try {
            return json.writeValueAsString(verdict);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
