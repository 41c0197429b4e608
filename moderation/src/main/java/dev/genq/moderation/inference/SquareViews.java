package dev.genq.moderation.inference;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * The views of a picture that moderation's square-input classifiers score: the whole picture (squeezed to their
 * square) and, when it is not square, squares along its long side that cover it end to end. Squeezed alone, what is
 * at the ends of a wide or tall sample is averaged with the rest and distorted; in its square it looks as it would
 * to a model given a square picture. A verdict takes each concept's highest score over the views.
 */
public final class SquareViews {
    /** At most this many squares (a 1:8 picture is covered; a longer one is sampled at even steps). */
    static final int MAX_SQUARES = 8;

    private SquareViews() {
    }

    /** The whole picture, then the covering squares (none for a square picture). */
    public static List<BufferedImage> of(BufferedImage image) {
        return views(image, false);
    }

    /**
     * The same views and the centred square, which is what a job started from an uploaded picture is given (it is
     * one of the covering squares when their number is odd, and then not scored twice).
     */
    public static List<BufferedImage> withCentred(BufferedImage image) {
        return views(image, true);
    }

    private static List<BufferedImage> views(BufferedImage image, boolean centred) {
        int w = image.getWidth();
        int h = image.getHeight();
        int side = Math.min(w, h);
        int length = Math.max(w, h);
        List<BufferedImage> views = new ArrayList<>();
        views.add(image);
        if (side == length) {
            return views;
        }
        int squares = Math.min(MAX_SQUARES, (length + side - 1) / side);
        java.util.SortedSet<Integer> offsets = new java.util.TreeSet<>();
        for (int i = 0; i < squares; i++) {
            offsets.add((int) ((long) i * (length - side) / (squares - 1))); // first flush with one end, last with the other
        }
        if (centred) {
            offsets.add((length - side) / 2);
        }
        for (int offset : offsets) {
            views.add(w > h ? image.getSubimage(offset, 0, side, side) : image.getSubimage(0, offset, side, side));
        }
        return views;
    }
}
