package dev.genq.storage.job;

/**
 * A rectangle of a sample a variation redraws (Midjourney's "vary region"), in the sample's pixels. Stored on
 * the job as "x,y,width,height".
 */
public record Region(int x, int y, int width, int height) {

    /** Whether it lies inside a {@code size}×{@code size} image and covers at least one pixel. */
    public boolean fits(int size) {
        return x >= 0 && y >= 0 && width >= 1 && height >= 1 && x + width <= size && y + height <= size;
    }

    public String wire() {
        return x + "," + y + "," + width + "," + height;
    }

    /** @throws IllegalArgumentException if it is not four comma-separated integers */
    public static Region parse(String wire) {
        String[] p = wire.split(",");
        if (p.length != 4) {
            throw new IllegalArgumentException("a region is x,y,width,height, not " + wire);
        }
        return new Region(Integer.parseInt(p[0].strip()), Integer.parseInt(p[1].strip()), Integer.parseInt(p[2].strip()),
                Integer.parseInt(p[3].strip()));
    }
}
