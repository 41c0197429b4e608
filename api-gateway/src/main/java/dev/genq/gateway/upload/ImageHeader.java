package dev.genq.gateway.upload;

import dev.genq.api.problem.ProblemException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What an upload says it is, read from its container structure without decoding a pixel: its format, its
 * size and whether it is animated. Decompression bombs are refused on this alone (a PNG that claims
 * 20000×20000 never reaches a decoder), as are truncated files whose structure ends early.
 */
public record ImageHeader(String format, int width, int height, boolean animated) {

    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    /** @throws ProblemException 400 not_an_image, unsupported_image_format or image_truncated */
    public static ImageHeader read(byte[] b) {
        if (startsWith(b, PNG)) {
            return png(b);
        }
        if (b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF) {
            return jpeg(b);
        }
        if (b.length >= 12 && ascii(b, 0, 4).equals("RIFF") && ascii(b, 8, 4).equals("WEBP")) {
            return webp(b);
        }
        if (startsWith(b, "GIF8".getBytes(StandardCharsets.US_ASCII)) || startsWith(b, new byte[]{'B', 'M'})
                || startsWith(b, new byte[]{'I', 'I', 42, 0}) || startsWith(b, new byte[]{'M', 'M', 0, 42})) {
            throw ProblemException.badRequest("unsupported_image_format", "uploads are PNG, JPEG or WebP");
        }
        throw ProblemException.badRequest("not_an_image", "the body is not a PNG, JPEG or WebP image");
    }

    /** Chunk by chunk to IEND: IHDR gives the size, an acTL chunk before the image data makes it an APNG. */
    private static ImageHeader png(byte[] b) {
        int width = -1;
        int height = -1;
        boolean animated = false;
        int at = PNG.length;
        while (true) {
            if (at + 8 > b.length) {
                throw truncated();
            }
            long length = u32(b, at);
            String type = ascii(b, at + 4, 4);
            if (length > b.length - at - 12L) {
                throw truncated();
            }
            if (width < 0) {
                if (!type.equals("IHDR") || length != 13) {
                    throw ProblemException.badRequest("not_an_image", "a PNG must start with its IHDR chunk");
                }
                width = (int) Math.min(Integer.MAX_VALUE, u32(b, at + 8));
                height = (int) Math.min(Integer.MAX_VALUE, u32(b, at + 12));
            }
            if (type.equals("acTL")) {
                animated = true;
            }
            if (type.equals("IEND")) {
                return new ImageHeader("png", width, height, animated);
            }
            at += 12 + (int) length;
        }
    }

    /** Segment by segment to the first start-of-frame, which holds the size; the file must end with EOI. */
    private static ImageHeader jpeg(byte[] b) {
        int at = 2;
        while (true) {
            while (at < b.length && (b[at] & 0xFF) == 0xFF && at + 1 < b.length && (b[at + 1] & 0xFF) == 0xFF) {
                at++; // fill bytes
            }
            if (at + 4 > b.length) {
                throw truncated();
            }
            if ((b[at] & 0xFF) != 0xFF) {
                throw ProblemException.badRequest("not_an_image", "a JPEG segment does not start with a marker");
            }
            int marker = b[at + 1] & 0xFF;
            int length = u16(b, at + 2);
            boolean frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (frame) {
                if (at + 9 > b.length) {
                    throw truncated();
                }
                int height = u16(b, at + 5);
                int width = u16(b, at + 7);
                if (!endsWithEoi(b)) {
                    throw truncated();
                }
                return new ImageHeader("jpeg", width, height, false);
            }
            if (marker == 0xD9 || marker == 0xDA) {
                throw ProblemException.badRequest("not_an_image", "a JPEG without a frame header");
            }
            at += 2 + length;
        }
    }

    /** A RIFF container: VP8 (lossy), VP8L (lossless) or VP8X (extended: its flags say animated). */
    private static ImageHeader webp(byte[] b) {
        long riff = u32le(b, 4);
        if (riff + 8 > b.length || b.length < 30) {
            throw truncated();
        }
        String chunk = ascii(b, 12, 4);
        return switch (chunk) {
            case "VP8 " -> new ImageHeader("webp", u16le(b, 26) & 0x3FFF, u16le(b, 28) & 0x3FFF, false);
            case "VP8L" -> {
                long bits = u32le(b, 21);
                yield new ImageHeader("webp", (int) (bits & 0x3FFF) + 1, (int) ((bits >> 14) & 0x3FFF) + 1, false);
            }
            case "VP8X" -> extended(b, u24le(b, 24) + 1, u24le(b, 27) + 1, (b[20] & 0x02) != 0);
            default -> throw ProblemException.badRequest("not_an_image", "a WebP file without a VP8, VP8L or VP8X chunk");
        };
    }

    /**
     * An extended WebP: its canvas size, checked against the image chunk inside it, whose own size is what the
     * decoder works at (a small canvas around a huge lossy frame would otherwise pass the limits).
     */
    private static ImageHeader extended(byte[] b, int width, int height, boolean animated) {
        if (animated) {
            return new ImageHeader("webp", width, height, true);
        }
        long at = 12;
        while (at + 8 <= b.length) {
            String fourcc = ascii(b, (int) at, 4);
            long size = u32le(b, (int) at + 4);
            int data = (int) at + 8;
            if (fourcc.equals("VP8 ") || fourcc.equals("VP8L")) {
                if (data + 10 > b.length) {
                    throw truncated();
                }
                boolean lossy = fourcc.equals("VP8 ");
                int w = lossy ? u16le(b, data + 6) & 0x3FFF : (int) (u32le(b, data + 1) & 0x3FFF) + 1;
                int h = lossy ? u16le(b, data + 8) & 0x3FFF : (int) ((u32le(b, data + 1) >> 14) & 0x3FFF) + 1;
                if (w != width || h != height) {
                    throw ProblemException.badRequest("image_undecodable", "the WebP canvas is " + width + "x" + height
                            + " but its image is " + w + "x" + h);
                }
                return new ImageHeader("webp", width, height, false);
            }
            at = data + size + (size & 1); // chunks are padded to an even size
        }
        throw truncated();
    }

    private static boolean endsWithEoi(byte[] b) {
        int end = b.length;
        while (end > 2 && b[end - 1] == 0) {
            end--; // some encoders pad
        }
        return end >= 2 && (b[end - 2] & 0xFF) == 0xFF && (b[end - 1] & 0xFF) == 0xD9;
    }

    private static ProblemException truncated() {
        return ProblemException.badRequest("image_truncated", "the image ends before its structure does");
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        return b.length >= prefix.length && Arrays.equals(b, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static String ascii(byte[] b, int at, int n) {
        return new String(b, at, n, StandardCharsets.ISO_8859_1);
    }

    private static long u32(byte[] b, int at) {
        return ((long) (b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }

    private static int u16(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    private static long u32le(byte[] b, int at) {
        return (b[at] & 0xFF) | ((b[at + 1] & 0xFF) << 8) | ((b[at + 2] & 0xFF) << 16) | ((long) (b[at + 3] & 0xFF) << 24);
    }

    private static int u24le(byte[] b, int at) {
        return (b[at] & 0xFF) | ((b[at + 1] & 0xFF) << 8) | ((b[at + 2] & 0xFF) << 16);
    }

    private static int u16le(byte[] b, int at) {
        return (b[at] & 0xFF) | ((b[at + 1] & 0xFF) << 8);
    }
}
