package dev.genq.moderation.provenance;

import dev.genq.storage.job.Job;
import dev.genq.storage.job.Sample;
import dev.genq.storage.job.Sha256;
import dev.genq.storage.provenance.ImageFingerprint;
import dev.genq.storage.provenance.PngChunks;
import dev.genq.storage.provenance.ProvenanceManifest;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Marks a sample's PNG as it is released or quarantined: a manifest (job, sample, model@version, seed, a digest of
 * the parameters, the hash of the worker's bytes, when it was made, where to verify it), its Ed25519 signature with
 * the deployment's key, and an XMP packet naming it AI-generated (IPTC trainedAlgorithmicMedia). The pixels and
 * every other chunk stay as the worker wrote them. Also gives the picture's perceptual fingerprint, kept with the
 * sample so a re-encoded or resized copy can be found.
 */
@ApplicationScoped
public class ProvenanceStamp {
    private final ProvenanceSettings settings;
    private final ProvenanceSigningKey signingKey;

    public ProvenanceStamp(ProvenanceSettings settings, ProvenanceSigningKey signingKey) {
        this.settings = settings;
        this.signingKey = signingKey;
    }

    /** What a released sample is stored as. */
    public record Stamped(byte[] png, byte[] fingerprint) {
    }

    public Stamped stamp(Job job, Sample sample, byte[] png) {
        ProvenanceSigningKey.Signer signer = signingKey.current();
        String model = job.modelVersion != null ? job.modelVersion : String.valueOf(job.model);
        String createdAt = sample.createdAt.withOffsetSameInstant(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        String xmp = ProvenanceManifest.xmp(settings.issuer(), model, createdAt);
        ProvenanceManifest manifest = new ProvenanceManifest(1, settings.issuer(), signer.kid(), job.id, sample.idx, model,
                sample.seed, paramsDigest(job), Sha256.hex(png), Sha256.hex(xmp.getBytes(StandardCharsets.UTF_8)), createdAt,
                ProvenanceManifest.TRAINED_ALGORITHMIC_MEDIA, settings.verifyUrl());
        String text = manifest.toJson();
        Map<String, String> chunks = new LinkedHashMap<>();
        chunks.put(ProvenanceManifest.KEYWORD, text);
        chunks.put(ProvenanceManifest.SIGNATURE_KEYWORD, sign(signer, text));
        chunks.put(ProvenanceManifest.XMP_KEYWORD, xmp);
        return new Stamped(PngChunks.withText(png, chunks), fingerprint(png));
    }

    static byte[] fingerprint(byte[] png) {
        try {
            return ImageFingerprint.of(ImageIO.read(new ByteArrayInputStream(png)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What shaped the picture besides its seed and model, without the prompt (tenant data: anyone holding the file
     * reads the manifest): mode, steps, guidance, sampler, strength, the parent it came from.
     */
    static String paramsDigest(Job job) {
        String params = "mode=" + job.mode + "\nsteps=" + job.steps + "\nguidance=" + job.guidanceScale + "\nsampler=" + job.sampler
                + "\nstrength=" + job.strength + "\nparent=" + job.parentId + "#" + job.parentSample + "\nregion=" + job.region
                + "\ninit=" + job.initUpload + "\nmask=" + job.maskUpload + "\noutpaint=" + job.outpaint;
        return Sha256.hex(params.getBytes(StandardCharsets.UTF_8));
    }

    private static String sign(ProvenanceSigningKey.Signer signer, String text) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(signer.key());
            s.update(text.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
