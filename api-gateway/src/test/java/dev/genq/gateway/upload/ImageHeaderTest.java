package dev.genq.gateway.upload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.api.problem.ProblemException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The header is read without decoding: formats, sizes, animation and truncation from the structure alone. */
class ImageHeaderTest {

    static String code(byte[] b) {
        return assertThrows(ProblemException.class, () -> ImageHeader.read(b)).problem().code();
    }

    @Test
    void readsTheSizeOfEachFormat() {
        assertEquals(new ImageHeader("png", 40, 30, false), ImageHeader.read(UploadFixtures.disk("png", 40, 30, true)));
        assertEquals(new ImageHeader("jpeg", 33, 21, false), ImageHeader.read(UploadFixtures.disk("jpeg", 33, 21, false)));
        assertEquals(new ImageHeader("webp", 48, 40, false), ImageHeader.read(UploadFixtures.resource("disk-lossless.webp")));
        assertEquals(new ImageHeader("webp", 48, 40, false), ImageHeader.read(UploadFixtures.resource("disk-lossy.webp")));
        assertEquals(new ImageHeader("webp", 48, 40, false), ImageHeader.read(UploadFixtures.resource("disk-alpha-lossy.webp")),
                "an extended WebP (alpha chunk, then the lossy frame)");
    }

    @Test
    void anExtendedWebpWhoseFrameIsLargerThanItsCanvasIsRefused() {
        // the decoder works at the frame's size: a small canvas must not let a large frame through the limits
        byte[] webp = UploadFixtures.resource("disk-alpha-lossy.webp");
        byte[] smallCanvas = webp.clone();
        smallCanvas[24] = 15; // canvas 16x16 around the 48x40 frame
        smallCanvas[25] = 0;
        smallCanvas[27] = 15;
        smallCanvas[28] = 0;
        assertEquals("image_undecodable", code(smallCanvas));
    }

    @Test
    void animationIsSeenInTheContainer() {
        assertTrue(ImageHeader.read(UploadFixtures.animatedPng()).animated());
        assertTrue(ImageHeader.read(UploadFixtures.resource("animated.webp")).animated());
        assertFalse(ImageHeader.read(UploadFixtures.disk("png", 8, 8, false)).animated());
    }

    @Test
    void aHugeHeaderIsReadWithoutItsData() {
        assertEquals(new ImageHeader("png", 20000, 20000, false), ImageHeader.read(UploadFixtures.png(20000, 20000)));
    }

    @Test
    void truncatedFilesAreRefused() {
        byte[] png = UploadFixtures.disk("png", 32, 32, false);
        byte[] jpeg = UploadFixtures.disk("jpeg", 32, 32, false);
        byte[] webp = UploadFixtures.resource("disk-lossy.webp");
        for (byte[] whole : new byte[][]{png, jpeg, webp}) {
            assertEquals("image_truncated", code(Arrays.copyOf(whole, whole.length * 2 / 3)));
            assertEquals("image_truncated", code(Arrays.copyOf(whole, whole.length - 1)));
        }
        assertEquals("image_truncated", code(Arrays.copyOf(png, 12)));
    }

    @Test
    void otherBytesAreNotImagesAndOtherFormatsAreNamed() {
        assertEquals("not_an_image", code("hello, world".getBytes()));
        assertEquals("not_an_image", code(new byte[0]));
        assertEquals("unsupported_image_format", code(UploadFixtures.gif()));
    }
}
