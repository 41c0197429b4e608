package dev.genq.moderation.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which views a classifier scores: each square once, flush with both ends, the centred one for uploads. */
class SquareViewsTest {
    @Test
    void aSquarePictureIsScoredOnceAndAWideOneInSquaresCoveringIt() {
        assertEquals(List.of("0,0 32x32"), describe(SquareViews.withCentred(image(32, 32))), "a square picture: itself, once");
        assertEquals(List.of("0,0 96x32", "0,0 32x32", "32,0 32x32", "64,0 32x32"), describe(SquareViews.withCentred(image(96, 32))),
                "the centred square is the middle one of three: not scored twice");
        assertEquals(List.of("0,0 48x32", "0,0 32x32", "16,0 32x32"), describe(SquareViews.of(image(48, 32))));
        assertEquals(List.of("0,0 48x32", "0,0 32x32", "8,0 32x32", "16,0 32x32"), describe(SquareViews.withCentred(image(48, 32))));
        assertEquals(List.of("0,0 32x64", "0,0 32x32", "0,32 32x32"), describe(SquareViews.of(image(32, 64))));
        assertEquals(1 + SquareViews.MAX_SQUARES, SquareViews.of(image(320, 10)).size(), "a 32:1 strip: at most 8 squares");
    }

    /** A picture whose every pixel holds its own coordinates (x in red and green, y in blue). */
    static BufferedImage image(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, x << 8 | y);
            }
        }
        return img;
    }

    /** Each view's place in the picture (its first pixel's coordinates) and its size. */
    static List<String> describe(List<BufferedImage> views) {
        return views.stream().map(v -> {
            int rgb = v.getRGB(0, 0) & 0xFFFFFF;
            return (rgb >> 8) + "," + (rgb & 0xFF) + " " + v.getWidth() + "x" + v.getHeight();
        }).toList();
    }
}
