package dev.genq.storage.provenance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Text chunks go in before IEND, read back, and come out leaving the original bytes; the pixels never change. */
class PngChunksTest {

    static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    static BufferedImage picture(long seed) {
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(seed);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                img.setRGB(x, y, r.nextInt(0xFFFFFF));
            }
        }
        return img;
    }

    @Test
    void textChunksRoundTripAndComeOutLeavingTheOriginalBytes() throws IOException {
        byte[] original = png(picture(1));
        Map<String, String> texts = new LinkedHashMap<>();
        texts.put("genq", "{\"job\":\"é, ü and 猫\"}");
        texts.put("genq-signature", "c2lnbmF0dXJl");
        byte[] stamped = PngChunks.withText(original, texts);

        assertEquals(texts, PngChunks.texts(stamped));
        assertArrayEquals(original, PngChunks.without(stamped, texts.keySet()));
        // a standard decoder reads the stamped file, and its pixels are the original's
        BufferedImage a = ImageIO.read(new ByteArrayInputStream(original));
        BufferedImage b = ImageIO.read(new ByteArrayInputStream(stamped));
        assertArrayEquals(a.getRGB(0, 0, 32, 32, null, 0, 32), b.getRGB(0, 0, 32, 32, null, 0, 32));
    }

    @Test
    void anythingThatIsNotAWholePngIsRefused() throws IOException {
        byte[] original = png(picture(2));
        assertThrows(IllegalArgumentException.class, () -> PngChunks.texts(new byte[] {1, 2, 3}));
        assertThrows(IllegalArgumentException.class, () -> PngChunks.texts(Arrays.copyOf(original, original.length - 20)));
        byte[] lying = original.clone();
        lying[8] = 0x7F; // the first chunk claims two gigabytes
        assertThrows(IllegalArgumentException.class, () -> PngChunks.texts(lying));
    }

    @Test
    void aFingerprintBarelyMovesUnderJpegAndResizingAndDiffersForAnotherPicture() throws IOException {
        BufferedImage smooth = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                smooth.setRGB(x, y, ((x * 4) << 16) | ((y * 4) << 8) | (((x + y) * 2) & 0xFF));
            }
        }
        byte[] f = ImageFingerprint.of(smooth);
        assertEquals(ImageFingerprint.BITS / 8, f.length);
        assertEquals(0, ImageFingerprint.distance(f, ImageFingerprint.of(smooth)));
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageIO.write(smooth, "jpg", jpeg);
        int jpegDistance = ImageFingerprint.distance(f, ImageFingerprint.of(ImageIO.read(new ByteArrayInputStream(jpeg.toByteArray()))));
        BufferedImage half = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        half.createGraphics().drawImage(smooth.getScaledInstance(32, 32, java.awt.Image.SCALE_AREA_AVERAGING), 0, 0, null);
        int halfDistance = ImageFingerprint.distance(f, ImageFingerprint.of(half));
        int other = ImageFingerprint.distance(f, ImageFingerprint.of(picture(3)));
        assertTrue(jpegDistance <= 8 && halfDistance <= 8, "jpeg " + jpegDistance + ", half " + halfDistance);
        assertTrue(other >= 40, "another picture differs in " + other + " of " + ImageFingerprint.BITS + " bits");
    }
}
