package dev.genq.storage.provenance;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Set;
import java.util.UUID;

/**
 * What a released PNG says about itself (its {@code genq} iTXt chunk), signed by the deployment's Ed25519 key (the
 * {@code genq-signature} chunk: base64 of the signature over the manifest's exact UTF-8 text). {@code imageSha256}
 * is the hash of the PNG without these chunks (the bytes the worker made), so the signature covers the pixels too;
 * {@code xmpSha256} the hash of the XMP packet's text, so the AI-generated mark is signed as well.
 * It carries no prompt and no tenant: anyone holding the file can read it.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder(alphabetic = true)
public record ProvenanceManifest(
        @JsonProperty("v") int version,
        @JsonProperty("issuer") String issuer,
        @JsonProperty("kid") String kid,
        @JsonProperty("job") UUID job,
        @JsonProperty("sample") int sample,
        @JsonProperty("model") String model,
        @JsonProperty("seed") long seed,
        @JsonProperty("params_sha256") String paramsSha256,
        @JsonProperty("image_sha256") String imageSha256,
        @JsonProperty("xmp_sha256") String xmpSha256,
        @JsonProperty("created_at") String createdAt,
        @JsonProperty("digital_source_type") String digitalSourceType,
        @JsonProperty("verify") String verify) {

    /** The manifest's text chunk. */
    public static final String KEYWORD = "genq";
    /** The signature's text chunk. */
    public static final String SIGNATURE_KEYWORD = "genq-signature";
    /** The XMP packet (IPTC digital source type, for readers that know XMP rather than genq). */
    public static final String XMP_KEYWORD = "XML:com.adobe.xmp";
    /** Every chunk provenance adds: taking them out gives back the worker's bytes. */
    public static final Set<String> KEYWORDS = Set.of(KEYWORD, SIGNATURE_KEYWORD, XMP_KEYWORD);
    /** IPTC's term for media made by a trained model (what the EU AI Act's Art. 50 marking asks to say). */
    public static final String TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia";

    private static final ObjectMapper JSON = new ObjectMapper();

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @throws IllegalArgumentException if it is not a manifest */
    public static ProvenanceManifest parse(String json) {
        try {
            ProvenanceManifest m = JSON.readValue(json, ProvenanceManifest.class);
            if (m.job() == null || m.kid() == null || m.imageSha256() == null) {
                throw new IllegalArgumentException("not a genq manifest");
            }
            return m;
        } catch (IOException e) {
            throw new IllegalArgumentException("not a genq manifest: " + e.getMessage());
        }
    }

    /** The XMP packet stamped beside the manifest (its hash is the manifest's {@code xmpSha256}). */
    public static String xmp(String issuer, String model, String createdAt) {
        return "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">"
                + "<rdf:Description rdf:about=\"\" xmlns:Iptc4xmpExt=\"http://iptc.org/std/Iptc4xmpExt/2008-02-29/\""
                + " xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" Iptc4xmpExt:DigitalSourceType=\"" + TRAINED_ALGORITHMIC_MEDIA + "\""
                + " xmp:CreatorTool=\"" + attribute(issuer) + " " + attribute(model) + "\""
                + " xmp:CreateDate=\"" + attribute(createdAt) + "\"/></rdf:RDF></x:xmpmeta>";
    }

    /** Safe inside an XML attribute: markup characters dropped. */
    private static String attribute(String s) {
        return s == null ? "" : s.replaceAll("[<>&\"']", "");
    }
}
