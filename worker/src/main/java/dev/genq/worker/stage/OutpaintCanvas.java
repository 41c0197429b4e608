package dev.genq.worker.stage;

import dev.genq.storage.job.Margins;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;

/**
 * Outpainting's input ("zoom out"): the upload placed on a larger canvas with the job's margins, and the mask
 * that redraws exactly the margins. The margins are filled white; at strength 1 (outpainting's default) the
 * model draws them from noise alone, so the fill only matters to a lower strength.
 */
public record OutpaintCanvas(BufferedImage canvas, BufferedImage mask) {

    public static OutpaintCanvas around(BufferedImage upload, Margins m) {
        int w = upload.getWidth() + m.left() + m.right();
        int h = upload.getHeight() + m.top() + m.bottom();
        BufferedImage canvas = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        BufferedImage mask = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D c = canvas.createGraphics();
        c.setColor(Color.WHITE);
        c.fillRect(0, 0, w, h);
        c.drawImage(upload, m.left(), m.top(), null);
        c.dispose();
        Graphics2D k = mask.createGraphics();
        k.setColor(Color.WHITE);
        k.fillRect(0, 0, w, h);
        k.setColor(Color.BLACK);
        k.fillRect(m.left(), m.top(), upload.getWidth(), upload.getHeight());
        k.dispose();
        return new OutpaintCanvas(canvas, mask);
    }
}
