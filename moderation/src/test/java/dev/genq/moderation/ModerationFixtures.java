package dev.genq.moderation;

import dev.genq.local.GenqStackTestResource;
import dev.genq.storage.job.Job;
import dev.genq.storage.job.JobMode;
import dev.genq.storage.job.JobStatus;
import dev.genq.storage.job.Sample;
import dev.genq.storage.job.SampleStatus;
import dev.genq.storage.messaging.SampleGenerated;
import dev.genq.storage.objectstore.Buckets;
import dev.genq.storage.objectstore.ObjectStore;
import dev.genq.storage.tenant.ApiKey;
import dev.genq.storage.tenant.Tenant;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import jakarta.enterprise.context.ApplicationScoped;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import javax.imageio.ImageIO;

/**
 * What a worker would have left for moderation: a job in 'moderating' and its samples as pending PNGs.
 * The fixture classifier (models/fixtures/tiny-safety) scores red images as "weapon" and blue as "alcohol".
 */
@ApplicationScoped
@QuarkusTestResource(GenqStackTestResource.class)
public class ModerationFixtures {
    public static final Color GREY = new Color(128, 128, 128);

    private final ObjectStore store;

    public ModerationFixtures(ObjectStore store) {
        this.store = store;
    }

    public record Tenancy(UUID tenant, String reviewerKey, String clientKey) {
    }

    /** A new tenant with a reviewer and a client key. */
    public Tenancy tenant() {
        return QuarkusTransaction.requiringNew().call(() -> {
            Tenant t = new Tenant();
            t.id = UUID.randomUUID();
            t.name = "moderation-" + t.id;
            t.persist();
            String reviewer = ApiKey.generate();
            String client = ApiKey.generate();
            ApiKey.create(t.id, "reviewer " + t.name.substring(11, 19), Set.of("reviewer"), reviewer, null);
            ApiKey.create(t.id, "client", Set.of("client"), client, null);
            return new Tenancy(t.id, reviewer, client);
        });
    }

    /** A key with one role in a tenant (the operator's for admin and moderator keys that should count). */
    public String key(UUID tenant, String role) {
        return key(tenant, role, null);
    }

    /** The same with its own rate limit (requests a second; null: the default). */
    public String key(UUID tenant, String role, Double ratePerSecond) {
        String raw = ApiKey.generate();
        QuarkusTransaction.requiringNew().run(() -> ApiKey.create(tenant, role, Set.of(role), raw, ratePerSecond));
        return raw;
    }

    public String adminKey() {
        String raw = ApiKey.generate();
        QuarkusTransaction.requiringNew().run(() -> ApiKey.create(Tenant.DEFAULT_ID, "admin", Set.of("admin"), raw, null));
        return raw;
    }

    /** A moderating job with one pending sample per colour; returns the events the worker would send. */
    public List<SampleGenerated> job(UUID tenant, String prompt, Color... colours) {
        return job(tenant, prompt, java.util.Arrays.stream(colours).map(ModerationFixtures::picture).toArray(byte[][]::new));
    }

    /** The same with the samples' PNG bytes as given. */
    public List<SampleGenerated> job(UUID tenant, String prompt, byte[]... pngs) {
        UUID jobId = UUID.randomUUID();
        QuarkusTransaction.requiringNew().run(() -> {
            Job job = new Job();
            job.id = jobId;
            job.tenantId = tenant;
            job.status = JobStatus.MODERATING;
            job.mode = JobMode.PREVIEW;
            job.prompt = prompt;
            job.negativePrompt = "";
            job.numSamples = pngs.length;
            job.seed = 1;
            job.steps = 1;
            job.guidanceScale = 1;
            job.sampler = "ddim";
            job.model = "tiny-base";
            job.persist();
        });
        List<SampleGenerated> events = new java.util.ArrayList<>();
        for (int i = 0; i < pngs.length; i++) {
            byte[] png = pngs[i];
            String key = Buckets.sampleKey(tenant, jobId, i);
            store.put(Buckets.PENDING, key, png, "image/png");
            int idx = i;
            QuarkusTransaction.requiringNew().run(() -> {
                Sample s = new Sample();
                s.jobId = jobId;
                s.idx = idx;
                s.tenantId = tenant;
                s.status = SampleStatus.PENDING;
                s.seed = idx;
                s.width = 32;
                s.height = 32;
                s.objectKey = key;
                s.sizeBytes = png.length;
                s.sha256 = "x";
                s.persist();
            });
            events.add(new SampleGenerated(jobId, tenant, i, key, "x"));
        }
        return events;
    }

    /** Deletes the sample's pending image: every attempt to moderate it fails (not an outage: NoSuchKey). */
    public void removePending(SampleGenerated e) {
        store.remove(Buckets.PENDING, e.objectKey());
    }

    public boolean exists(String bucket, SampleGenerated e) {
        return store.exists(bucket, e.objectKey());
    }

    /**
     * A 32x32 picture in the emoji style: a shaded disk of the colour on white, so it passes the quality
     * check (dozens of colours, contrast) while the fixture classifier still reads the colour's dominance
     * (the white adds the same to every channel; the disk covers about 70% and is shaded 80-100%).
     */
    public static byte[] picture(Color c) {
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                double d = Math.hypot(x - 15.5, y - 15.5);
                int rgb = 0xFFFFFF;
                if (d <= 15) {
                    double shade = 1.0 - 0.2 * d / 15;
                    rgb = ((int) (c.getRed() * shade) << 16) | ((int) (c.getGreen() * shade) << 8) | (int) (c.getBlue() * shade);
                }
                img.setRGB(x, y, rgb);
            }
        }
        return encode(img);
    }

    /** A 32x32 PNG of one colour: a blank, as far as the quality check is concerned. */
    public static byte[] png(Color c) {
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        var g = img.createGraphics();
        g.setColor(c);
        g.fillRect(0, 0, 32, 32);
        g.dispose();
        return encode(img);
    }

    private static byte[] encode(BufferedImage img) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
