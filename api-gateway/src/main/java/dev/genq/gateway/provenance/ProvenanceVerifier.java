package dev.genq.gateway.provenance;

import dev.genq.gateway.upload.UploadDecoder;
import dev.genq.storage.job.Job;
import dev.genq.storage.job.Sample;
import dev.genq.storage.job.SampleId;
import dev.genq.storage.job.Sha256;
import dev.genq.storage.provenance.ImageFingerprint;
import dev.genq.storage.provenance.PngChunks;
import dev.genq.storage.provenance.ProvenanceKey;
import dev.genq.storage.provenance.ProvenanceManifest;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Checks where an image came from: first its own signed manifest (an exact file), else its perceptual fingerprint
 * against the released pictures of every tenant (a re-encoded or resized copy). See {@link ProvenanceCheck} for
 * what each caller is told.
 */
@ApplicationScoped
public class ProvenanceVerifier {
    static final String OTHERS = "made by this deployment; which job made it is told only to the tenant that made it";
    static final String LOOKS_LIKE = "It looks like a picture this deployment released: evidence, not proof (only a valid "
            + "signature proves it); the nearest picture is named";

    private final UploadDecoder decoder;
    private final ProvenanceSettings settings;
    private final EntityManager em;

    public ProvenanceVerifier(UploadDecoder decoder, ProvenanceSettings settings, EntityManager em) {
        this.decoder = decoder;
        this.settings = settings;
        this.em = em;
    }

    /** @throws dev.genq.api.problem.ProblemException 400 with the upload codes when it is not a decodable image */
    public ProvenanceCheck verify(UUID caller, byte[] image) {
        String signature = "absent";
        if (PngChunks.isPng(image)) {
            Map<String, String> texts;
            try {
                texts = PngChunks.texts(image);
            } catch (IllegalArgumentException e) {
                texts = Map.of(); // malformed chunks: the decoder below says what is wrong
            }
            String text = texts.get(ProvenanceManifest.KEYWORD);
            if (text != null) {
                ProvenanceManifest m = signedManifest(text, texts.get(ProvenanceManifest.SIGNATURE_KEYWORD),
                        texts.get(ProvenanceManifest.XMP_KEYWORD), image);
                if (m != null) {
                    return exact(caller, m);
                }
                signature = "invalid"; // edited or forged: trust the pixels only
            }
        }
        return perceptual(caller, ImageFingerprint.of(decoder.picture(image)), signature);
    }

    /**
     * The manifest when its signature holds under one of this deployment's keys and its image and XMP hashes are the
     * file's; else null.
     */
    private ProvenanceManifest signedManifest(String text, String signature, String xmp, byte[] png) {
        ProvenanceManifest m;
        try {
            m = ProvenanceManifest.parse(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
        java.security.PublicKey key = QuarkusTransaction.requiringNew().call(() -> ProvenanceKey.publicKey(m.kid())).orElse(null);
        if (key == null || signature == null) {
            return null;
        }
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(text.getBytes(StandardCharsets.UTF_8));
            if (!s.verify(Base64.getDecoder().decode(signature.trim()))) {
                return null;
            }
            String worker = Sha256.hex(PngChunks.without(png, ProvenanceManifest.KEYWORDS));
            String mark = xmp == null ? null : Sha256.hex(xmp.getBytes(StandardCharsets.UTF_8));
            // the signature covers these pixels and this AI-generated mark, not others
            return worker.equals(m.imageSha256()) && java.util.Objects.equals(mark, m.xmpSha256()) ? m : null;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return null;
        }
    }

    private ProvenanceCheck exact(UUID caller, ProvenanceManifest m) {
        ProvenanceCheck.Claimed claimed = new ProvenanceCheck.Claimed(m.issuer(), m.model(), m.createdAt(), m.kid());
        ProvenanceCheck.Origin origin = origin(caller, m.job(), m.sample());
        return new ProvenanceCheck("exact", true, "valid", null, null, claimed, origin, origin == null ? OTHERS : null);
    }

    private ProvenanceCheck perceptual(UUID caller, byte[] fingerprint, String signature) {
        Nearest best = QuarkusTransaction.requiringNew().call(() -> nearest(fingerprint));
        int max = settings.maxDistance();
        if (best == null || best.distance() > max) {
            // no distance: how near the nearest picture of any tenant is would itself be a hint about it
            return new ProvenanceCheck("none", false, signature, null, null, null, null,
                    "no released picture of this deployment looks like it");
        }
        ProvenanceCheck.Origin origin = origin(caller, best.job(), best.sample());
        return new ProvenanceCheck("perceptual", true, signature, best.distance(), max, null, origin,
                (origin == null ? OTHERS + ". " : "") + LOOKS_LIKE);
    }

    /** The job that made a picture, when it is the caller's tenant's and not deleted; else null. */
    private static ProvenanceCheck.Origin origin(UUID caller, UUID jobId, int idx) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Job job = Job.findById(jobId);
            Sample sample = Sample.findById(new SampleId(jobId, idx));
            return job == null || sample == null || job.deletedAt != null || !job.tenantId.equals(caller) ? null
                    : new ProvenanceCheck.Origin(job.id, sample.idx, job.modelVersion, sample.seed, sample.status.wire());
        });
    }

    private record Nearest(UUID job, int sample, UUID tenant, int distance) {
    }

    /** The released, undeleted picture nearest to {@code fingerprint}, over the most recent searchLimit ones. */
    private Nearest nearest(byte[] fingerprint) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                select s.job_id, s.idx, s.tenant_id, s.fingerprint from samples s join jobs j on j.id = s.job_id
                where s.fingerprint is not null and s.status = 'released' and j.deleted_at is null
                order by s.created_at desc limit ?1""").setParameter(1, settings.searchLimit()).getResultList();
        Nearest best = null;
        for (Object[] r : rows) {
            int d = ImageFingerprint.distance(fingerprint, (byte[]) r[3]);
            if (best == null || d < best.distance()) {
                best = new Nearest((UUID) r[0], ((Number) r[1]).intValue(), (UUID) r[2], d);
            }
        }
        return best;
    }
}
