package dev.genq.worker.stage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.genq.worker.engine.Images;
import dev.genq.worker.engine.ModelSpec;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The documented rule that brings an upload to the model: centre square, block average, mask by brightness. */
class UploadedImageInputTest {
    static final ModelSpec TINY = ModelSpec.read(Path.of("../models/fixtures/tiny-base")); // 32 px

    static byte[] png(BufferedImage img) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    static BufferedImage noise(int w, int h, long seed) {
        java.util.Random r = new java.util.Random(seed);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt(0x1000000));
            }
        }
        return img;
    }

    @Test
    void anUploadAtTheModelsResolutionPassesThroughExactly() throws Exception {
        BufferedImage img = noise(32, 32, 1);
        SourceImageInput in = UploadedImageInput.prepare(png(img), null, TINY);
        assertArrayEquals(Images.chw(img), in.image());
        assertNull(in.redo(), "no mask: all of it is redrawn");
    }

    @Test
    void aWiderUploadIsCroppedToItsCentreAndBlockAveraged() throws Exception {
        BufferedImage img = new BufferedImage(96, 64, BufferedImage.TYPE_INT_RGB); // centre square: x 16..79
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 96; x++) {
                img.setRGB(x, y, x < 16 || x >= 80 ? 0xFF0000 : ((x + y) % 2 == 0 ? 0x000000 : 0x0000FE));
            }
        }
        BufferedImage fitted = UploadedImageInput.fit(img, 32);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                assertEquals(0x00007F, fitted.getRGB(x, y) & 0xFFFFFF, "each 2x2 block of the square averaged; no red from outside it");
            }
        }
        BufferedImage small = noise(8, 8, 2);
        assertEquals(small.getRGB(3, 5), UploadedImageInput.fit(small, 32).getRGB(3 * 4 + 2, 5 * 4 + 1), "enlarging takes the nearest pixel");
    }

    @Test
    void theMaskIsWhiteForRedrawnAndBlackForKeptPerPixelOnEveryChannel() throws Exception {
        BufferedImage mask = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        mask.setRGB(3, 4, 0xFFFFFF);
        mask.setRGB(5, 6, 0x808080); // mean 128: redrawn
        mask.setRGB(7, 8, 0x7F7F7F); // mean 127: kept
        SourceImageInput in = UploadedImageInput.prepare(png(noise(32, 32, 3)), png(mask), TINY);
        int plane = 32 * 32;
        for (int c = 0; c < 3; c++) {
            assertEquals(1f, in.redo()[c * plane + 4 * 32 + 3]);
            assertEquals(1f, in.redo()[c * plane + 6 * 32 + 5]);
            assertEquals(0f, in.redo()[c * plane + 8 * 32 + 7]);
            assertEquals(0f, in.redo()[c * plane]);
        }
        float drawn = 0;
        for (float v : in.redo()) {
            drawn += v;
        }
        assertEquals(6f, drawn, "two pixels times three channels");
    }
}
