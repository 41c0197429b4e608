package dev.genq.gateway.cache;

import dev.genq.storage.job.Job;
import dev.genq.storage.job.Sha256;
import dev.genq.storage.messaging.JobEvent;
import dev.genq.storage.messaging.JobEvents;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The exact result cache (README: Result cache). genq's outputs are bit-reproducible for the same model version,
 * engine, device class and parameters (seed included), so a text-to-image request identical to an earlier job of the
 * same tenant whose samples were all released is answered from those samples at submit: no compute, no cost, the same
 * bytes and the same moderation verdict. Never across tenants; a request opts out with {@code "cache": false}.
 */
@ApplicationScoped
public class ResultCache {
    private final EntityManager em;
    private final String engine;
    private final String deviceClass;
    private final dev.genq.gateway.model.ModelCatalog catalog;

    public ResultCache(EntityManager em, dev.genq.gateway.model.ModelCatalog catalog,
                       @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown") String engine,
                       @ConfigProperty(name = "genq.cache.device-class", defaultValue = "cpu") String deviceClass) {
        this.em = em;
        this.catalog = catalog;
        this.engine = engine;
        this.deviceClass = deviceClass;
    }

    /**
     * The key of a text-to-image job: everything that decides its pixels, the versions of the models that will run it
     * included (the version the rollout pinned, else the one the catalog serves; a full job's super-resolution model
     * when the catalog serves exactly one). Empty when those versions are not known: such a job is always computed.
     * Fields are length-prefixed, so no prompt can collide with another field.
     */
    public Optional<String> key(Job job) {
        String version = job.pinnedVersion != null ? job.pinnedVersion : catalog.find(job.model).map(e -> e.version).orElse(null);
        if (version == null) {
            return Optional.empty();
        }
        String models = job.model + "@" + version;
        if (job.mode == dev.genq.storage.job.JobMode.FULL) {
            List<String> sr = catalog.names(dev.genq.storage.job.Stage.SUPER_RESOLUTION.modelKind());
            if (sr.size() != 1) {
                return Optional.empty();
            }
            models += "+" + sr.get(0) + "@" + catalog.find(sr.get(0)).map(e -> e.version).orElse("?");
        }
        StringBuilder b = new StringBuilder("genq-cache-v1");
        for (Object field : List.of(models, engine, deviceClass, job.mode.wire(), job.prompt,
                job.negativePrompt, job.numSamples, job.seed, job.steps, Double.toString(job.guidanceScale), job.sampler)) {
            String s = String.valueOf(field);
            b.append('|').append(s.length()).append(':').append(s);
        }
        if (job.width != null) { // a size asked for; keys of native-size jobs stay as they were
            String size = job.width + "x" + job.height;
            b.append("|size").append(size.length()).append(':').append(size);
        }
        return Optional.of(Sha256.hex(b.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The tenant's newest job with this key that succeeded with every sample released (and computed, not itself
     * answered from the cache), whose cost rows name this device class. Must run in a transaction.
     */
    @SuppressWarnings("unchecked")
    public Optional<UUID> earlier(UUID tenantId, String key) {
        List<Object> ids = em.createNativeQuery("""
                select j.id from jobs j
                where j.tenant_id = ?1 and j.cache_key = ?2 and j.status = 'succeeded' and j.cached_from is null
                  and not exists (select 1 from samples s where s.job_id = j.id and s.status <> 'released')
                  and exists (select 1 from samples s where s.job_id = j.id)
                  and not exists (select 1 from sample_costs c where c.job_id = j.id and c.device_class <> ?3)
                order by j.seq desc limit 1""")
                .setParameter(1, tenantId).setParameter(2, key).setParameter(3, deviceClass).getResultList();
        return ids.stream().map(UUID.class::cast).findFirst();
    }

    /**
     * Writes {@code job} as succeeded, answered from {@code earlier}: its samples point at the same stored objects
     * with the same verdicts, it has no cost rows, and its events (sample.released, job.succeeded) go out as for a
     * computed job. The webhook, events filter, priority and trace are the new request's.
     */
    public Job answer(Job job, UUID earlier) {
        em.createNativeQuery("""
                insert into jobs (id, tenant_id, status, mode, prompt, negative_prompt, num_samples, seed, steps, guidance_scale,
                                  sampler, model, model_version, prompt_truncated, steps_done, progress, webhook_url, webhook_events,
                                  pinned_version, traceparent, reserved_usd, preview_every, priority, dispatched_at, started_at,
                                  finished_at, cache_key, cached_from, diversity, width, height)
                select ?1, tenant_id, 'succeeded', mode, prompt, negative_prompt, num_samples, seed, steps, guidance_scale,
                       sampler, model, model_version, prompt_truncated, steps_done, 1, cast(?3 as text), cast(?4 as text),
                       pinned_version, cast(?5 as text), 0, ?6, ?7, now(), now(), now(), cache_key, id, diversity, width, height
                from jobs where id = ?2""")
                .setParameter(1, job.id).setParameter(2, earlier).setParameter(3, job.webhookUrl)
                .setParameter(4, job.webhookEvents).setParameter(5, job.traceparent).setParameter(6, job.previewEvery)
                .setParameter(7, job.priority.wire()).executeUpdate();
        @SuppressWarnings("unchecked")
        List<Object> released = em.createNativeQuery("""
                insert into samples (job_id, idx, tenant_id, status, seed, width, height, object_key, size_bytes, sha256,
                                     settled_at, quality, features, moderation, fingerprint)
                select ?1, idx, tenant_id, status, seed, width, height, object_key, size_bytes, sha256, now(), quality,
                       features, moderation, fingerprint
                from samples where job_id = ?2 order by idx
                returning idx""").setParameter(1, job.id).setParameter(2, earlier).getResultList();
        for (Object idx : released.stream().sorted((a, b) -> Integer.compare(((Number) a).intValue(), ((Number) b).intValue())).toList()) {
            JobEvents.record(job.tenantId, job.id, JobEvent.SAMPLE_RELEASED, ((Number) idx).intValue());
        }
        JobEvents.record(job.tenantId, job.id, JobEvent.JOB_SUCCEEDED);
        return Job.findById(job.id);
    }
}
