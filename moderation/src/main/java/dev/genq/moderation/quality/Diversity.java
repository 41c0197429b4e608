package dev.genq.moderation.quality;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * How different a job's samples are: the mean pairwise cosine distance (1 - similarity) of their judge
 * features, 0 for identical samples (a collapsed model draws the same picture from every seed) up to about
 * 1 for unrelated ones. Features are stored with each sample as little-endian float32.
 */
public final class Diversity {
    private Diversity() {
    }

    /** The mean pairwise distance, or null for fewer than two samples with features. */
    public static Double of(List<float[]> features) {
        int n = features.size();
        if (n < 2) {
            return null;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                sum += 1 - AdherenceJudge.similarity(features.get(i), features.get(j));
            }
        }
        return Math.round(sum / (n * (n - 1) / 2.0) * 10000) / 10000.0;
    }

    public static byte[] toBytes(float[] features) {
        ByteBuffer b = ByteBuffer.allocate(features.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(features);
        return b.array();
    }

    public static float[] fromBytes(byte[] bytes) {
        float[] out = new float[bytes.length / Float.BYTES];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
