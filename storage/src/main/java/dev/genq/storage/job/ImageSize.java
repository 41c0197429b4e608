package dev.genq.storage.job;

import java.util.ArrayList;
import java.util.List;

/**
 * A picture's width and height in pixels, written {@code WIDTHxHEIGHT} ({@code 48x32}) in the catalog and in
 * messages. A package declares the sizes it draws (aspect-ratio buckets); a job asks for one of them.
 */
public record ImageSize(int width, int height) {
    public ImageSize {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("a size needs a width and a height of at least 1, not " + width + "x" + height);
        }
    }

    public static ImageSize square(int side) {
        return new ImageSize(side, side);
    }

    public long pixels() {
        return (long) width * height;
    }

    /** This size with both sides multiplied by {@code factor} (a super-resolution model's). */
    public ImageSize times(int factor) {
        return new ImageSize(width * factor, height * factor);
    }

    /** This size with both sides divided by {@code factor}; null unless both divide exactly. */
    public ImageSize dividedBy(int factor) {
        return width % factor == 0 && height % factor == 0 ? new ImageSize(width / factor, height / factor) : null;
    }

    @Override
    public String toString() {
        return width + "x" + height;
    }

    /** @throws IllegalArgumentException unless {@code text} is {@code WIDTHxHEIGHT} with both at least 1 */
    public static ImageSize parse(String text) {
        int x = text.indexOf('x');
        try {
            if (x > 0) {
                return new ImageSize(Integer.parseInt(text.substring(0, x)), Integer.parseInt(text.substring(x + 1)));
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("not a size WIDTHxHEIGHT: '" + text + "'");
    }

    /** A comma-separated list as the catalog stores it; empty for an empty or null text. */
    public static List<ImageSize> parseList(String text) {
        List<ImageSize> sizes = new ArrayList<>();
        if (text != null && !text.isBlank()) {
            for (String s : text.split(",")) {
                sizes.add(parse(s.strip()));
            }
        }
        return sizes;
    }

    public static String join(List<ImageSize> sizes) {
        return String.join(",", sizes.stream().map(ImageSize::toString).toList());
    }
}
