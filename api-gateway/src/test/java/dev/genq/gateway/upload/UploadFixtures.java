package dev.genq.gateway.upload;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;

/** Images, good and hostile, built byte by byte where an encoder would not make them. */
final class UploadFixtures {
    private UploadFixtures() {
    }

    /** A green disk on white, w×h, as PNG or JPEG; with alpha, the corners are transparent instead of white. */
    static byte[] disk(String format, int w, int h, boolean alpha) {
        BufferedImage img = new BufferedImage(w, h, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        if (!alpha) {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
        }
        g.setColor(new Color(40, 160, 60));
        g.fillOval(w / 6, h / 10, w * 2 / 3, h * 4 / 5);
        g.dispose();
        return encode(img, format);
    }

    static byte[] encode(BufferedImage img, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, format, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] resource(String name) {
        try (var in = UploadFixtures.class.getResourceAsStream("/uploads/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A PNG of chunks: the signature, IHDR (8-bit RGBA), then the given chunks, then IEND. */
    static byte[] png(int width, int height, byte[]... chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        out.writeBytes(chunk("IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 6)
                .put((byte) 0).put((byte) 0).put((byte) 0).array()));
        for (byte[] c : chunks) {
            out.writeBytes(c);
        }
        out.writeBytes(chunk("IEND", new byte[0]));
        return out.toByteArray();
    }

    static byte[] chunk(String type, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(12 + data.length);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        b.putInt(data.length).put(t).put(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /**
     * A decompression bomb: a PNG whose header claims width×height RGBA and whose image data is that many zero
     * bytes deflated (1 GiB inflates from about 1 MB).
     */
    static byte[] deflateBomb(int width, int height) {
        long raw = (long) height * (1 + 4L * width);
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        byte[] zeros = new byte[1 << 20];
        byte[] buf = new byte[1 << 16];
        for (long left = raw; left > 0; left -= zeros.length) {
            deflater.setInput(zeros, 0, (int) Math.min(zeros.length, left));
            while (!deflater.needsInput()) {
                idat.write(buf, 0, deflater.deflate(buf));
            }
        }
        deflater.finish();
        while (!deflater.finished()) {
            idat.write(buf, 0, deflater.deflate(buf));
        }
        deflater.end();
        return png(width, height, chunk("IDAT", idat.toByteArray()));
    }

    /** A valid PNG made an APNG: an acTL chunk (2 frames) right after its IHDR. */
    static byte[] animatedPng() {
        byte[] still = disk("png", 32, 32, false);
        int ihdrEnd = 8 + 12 + 13;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(still, 0, ihdrEnd);
        out.writeBytes(chunk("acTL", ByteBuffer.allocate(8).putInt(2).putInt(0).array()));
        out.write(still, ihdrEnd, still.length - ihdrEnd);
        return out.toByteArray();
    }

    static byte[] gif() {
        return encode(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "gif");
    }

    /** A flat mid-grey JPEG (bytes 128) tagged with the linear-RGB ICC profile: in sRGB that grey is 188. */
    static byte[] linearRgbJpeg() {
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                img.setRGB(x, y, 0x808080);
            }
        }
        byte[] jpeg = encode(img, "jpeg");
        byte[] icc = java.awt.color.ICC_Profile.getInstance(java.awt.color.ColorSpace.CS_LINEAR_RGB).getData();
        byte[] tag = "ICC_PROFILE\0".getBytes(StandardCharsets.ISO_8859_1);
        int length = 2 + tag.length + 2 + icc.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2); // SOI, then an APP2 segment holding the profile (chunk 1 of 1)
        out.writeBytes(new byte[]{(byte) 0xFF, (byte) 0xE2, (byte) (length >> 8), (byte) length});
        out.writeBytes(tag);
        out.writeBytes(new byte[]{1, 1});
        out.writeBytes(icc);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }
}
