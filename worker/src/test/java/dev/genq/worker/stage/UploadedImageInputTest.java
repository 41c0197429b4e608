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

    @Test
    void outpaintingPutsTheUploadOnALargerCanvasAndRedrawsExactlyTheMargins() throws Exception {
        BufferedImage img = noise(32, 32, 4);
        // 8 px left and right, 16 top and bottom: a 48x64 canvas, its centre 48x48 square fitted 3:2 to 32 px
        SourceImageInput in = UploadedImageInput.outpaint(png(img), new dev.genq.storage.job.Margins(8, 16, 8, 16), TINY);
        int plane = 32 * 32;
        // the square is canvas rows 8..55 and every column; the upload covers columns 8..39, rows 16..47 of the
        // canvas, which are square rows 8..39: model pixels whose 1.5 px block lies inside both ranges are kept
        int kept = 0;
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                int x0 = x * 48 / 32;
                int x1 = Math.max(x0 + 1, (x + 1) * 48 / 32);
                int y0 = y * 48 / 32;
                int y1 = Math.max(y0 + 1, (y + 1) * 48 / 32);
                boolean inside = x0 >= 8 && x1 <= 40 && y0 >= 8 && y1 <= 40;
                assertEquals(inside ? 0f : 1f, in.redo()[y * 32 + x], "model pixel " + x + "," + y);
                assertEquals(in.redo()[y * 32 + x], in.redo()[2 * plane + y * 32 + x]);
                kept += inside ? 1 : 0;
            }
        }
        assertEquals(21 * 21, kept, "the upload's area, less any block that touches a margin");
    }
}
