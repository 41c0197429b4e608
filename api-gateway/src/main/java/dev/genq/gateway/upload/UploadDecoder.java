package dev.genq.gateway.upload;

import com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi;
import dev.genq.api.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorConvertOp;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Checks an upload's header against the limits, then decodes it and normalises it to what every job input
 * is: an 8-bit sRGB PNG without alpha and without metadata. Colours in another colour space (a JPEG's ICC
 * profile, CMYK) are converted to sRGB; transparent pixels are composited over white, so a transparent area
 * of a mask reads as "redraw".
 */
@ApplicationScoped
public class UploadDecoder {
    private final UploadSettings settings;
    private final Semaphore decodes;

    public UploadDecoder(UploadSettings settings) {
        this.settings = settings;
        this.decodes = new Semaphore(settings.concurrentDecodes(), true);
    }

    /** An upload checked and normalised. */
    public record Normalised(ImageHeader header, byte[] png) {
    }

    /**
     * @throws ProblemException 400 with a stable code: not_an_image, unsupported_image_format, image_truncated,
     *                          animated_image, image_too_large or image_undecodable
     */
    public Normalised normalise(byte[] body) {
        ImageHeader header = ImageHeader.read(body);
        return new Normalised(header, underPermit(body, header, UploadDecoder::png));
    }

    /** The picture in sRGB over white, checked and decoded as an upload is (same codes). */
    public BufferedImage picture(byte[] body) {
        return underPermit(body, ImageHeader.read(body), img -> img);
    }

    /** Checks, decodes and then {@code then} inside one of the decode permits, which bound the memory in use. */
    private <T> T underPermit(byte[] body, ImageHeader header, java.util.function.Function<BufferedImage, T> then) {
        check(header);
        try {
            if (!decodes.tryAcquire(30, TimeUnit.SECONDS)) {
                throw ProblemException.tooManyRequests("uploads_busy", "too many uploads are being decoded; try again", 1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ProblemException.tooManyRequests("uploads_busy", "interrupted while waiting to decode", 1);
        }
        try {
            return then.apply(srgbOverWhite(decode(body, header)));
        } finally {
            decodes.release();
        }
    }

    private void check(ImageHeader h) {
        if (h.animated()) {
            throw ProblemException.badRequest("animated_image", "animated images are not accepted; send one frame");
        }
        if (h.width() < 1 || h.height() < 1 || h.width() > settings.maxSide() || h.height() > settings.maxSide()
                || (long) h.width() * h.height() > settings.maxPixels()) {
            throw ProblemException.badRequest("image_too_large", "the image is " + h.width() + "x" + h.height()
                    + "; the limits are " + settings.maxSide() + " pixels a side and " + settings.maxPixels() + " pixels");
        }
    }

    private static BufferedImage decode(byte[] body, ImageHeader header) {
        ImageReader reader = reader(header.format());
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(body))) {
            reader.setInput(in, true, true); // metadata ignored: nothing from it is kept
            if (reader.getWidth(0) != header.width() || reader.getHeight(0) != header.height()) {
                throw undecodable("its decoder sees another size than its header says");
            }
            return reader.read(0);
        } catch (IOException | RuntimeException e) {
            if (e instanceof ProblemException p) {
                throw p;
            }
            throw undecodable(e.getMessage());
        } finally {
            reader.dispose();
        }
    }

    /** The reader for a format, named directly: ImageIO's plugin scan depends on the thread's class loader. */
    private static ImageReader reader(String format) {
        if (format.equals("webp")) {
            return new WebPImageReaderSpi().createReaderInstance(null);
        }
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
        if (!readers.hasNext()) {
            throw ProblemException.badRequest("unsupported_image_format", "no decoder for " + format);
        }
        return readers.next();
    }

    private static BufferedImage srgbOverWhite(BufferedImage img) {
        BufferedImage src = img;
        if (!img.getColorModel().getColorSpace().isCS_sRGB() && img.getColorModel().getColorSpace().getType() != ColorSpace.TYPE_GRAY) {
            BufferedImage converted = new BufferedImage(img.getWidth(), img.getHeight(),
                    img.getColorModel().hasAlpha() ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
            new ColorConvertOp(img.getColorModel().getColorSpace(), ColorSpace.getInstance(ColorSpace.CS_sRGB), null)
                    .filter(img, converted);
            src = converted;
        }
        BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.drawImage(src, 0, 0, null);
        g.dispose();
        return out;
    }

    private static byte[] png(BufferedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new IllegalStateException("encoding a PNG in memory failed", e);
        }
        return out.toByteArray();
    }

    private static ProblemException undecodable(String why) {
        return ProblemException.badRequest("image_undecodable", "the image could not be decoded: " + why);
    }
}
