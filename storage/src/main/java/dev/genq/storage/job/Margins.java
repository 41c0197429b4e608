package dev.genq.storage.job;

/**
 * An outpainting's margins in the upload's pixels: how far the canvas extends past each edge. Stored on the job
 * as "left,top,right,bottom".
 */
public record Margins(int left, int top, int right, int bottom) {

    public String wire() {
        return left + "," + top + "," + right + "," + bottom;
    }

    /** @throws IllegalArgumentException if it is not four comma-separated integers */
    public static Margins parse(String wire) {
        String[] p = wire.split(",");
        if (p.length != 4) {
            throw new IllegalArgumentException("margins are left,top,right,bottom, not " + wire);
        }
        return new Margins(Integer.parseInt(p[0].strip()), Integer.parseInt(p[1].strip()), Integer.parseInt(p[2].strip()),
                Integer.parseInt(p[3].strip()));
    }
}
