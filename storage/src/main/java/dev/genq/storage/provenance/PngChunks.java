package dev.genq.storage.provenance;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * Text chunks of a PNG, read and written without touching its image data: {@code iTXt} (UTF-8, uncompressed)
 * added just before {@code IEND}, read back, or taken out again so the bytes are exactly what they were before.
 * Every length is checked: the input may be anything a client sent.
 */
public final class PngChunks {
    static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private PngChunks() {
    }

    public static boolean isPng(byte[] b) {
        if (b.length < SIGNATURE.length) {
            return false;
        }
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (b[i] != SIGNATURE[i]) {
                return false;
            }
        }
        return true;
    }

    /** The PNG with one uncompressed {@code iTXt} chunk per entry (keyword → text), in order, before {@code IEND}. */
    public static byte[] withText(byte[] png, Map<String, String> texts) {
        int iend = find(png, "IEND");
        ByteArrayOutputStream out = new ByteArrayOutputStream(png.length + 1024);
        out.write(png, 0, iend);
        texts.forEach((keyword, text) -> writeChunk(out, "iTXt", itxt(keyword, text)));
        out.write(png, iend, png.length - iend);
        return out.toByteArray();
    }

    /** Every uncompressed {@code iTXt} and {@code tEXt} chunk's keyword and text, in file order (the first of a keyword wins). */
    public static Map<String, String> texts(byte[] png) {
        Map<String, String> texts = new LinkedHashMap<>();
        walk(png, (type, start, length) -> {
            if (type.equals("iTXt") || type.equals("tEXt")) {
                String[] kv = type.equals("iTXt") ? parseItxt(png, start, length) : parseText(png, start, length);
                if (kv != null) {
                    texts.putIfAbsent(kv[0], kv[1]);
                }
            }
            return true;
        });
        return texts;
    }

    /**
     * The PNG without the text chunks whose keyword is in {@code keywords}: the bytes it had before they were added.
     * Anything after IEND is kept, so bytes appended to a file change what a hash of it says.
     */
    public static byte[] without(byte[] png, Set<String> keywords) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(png.length);
        out.write(png, 0, SIGNATURE.length);
        int[] end = {0};
        walk(png, (type, start, length) -> {
            String[] kv = type.equals("iTXt") ? parseItxt(png, start, length) : type.equals("tEXt") ? parseText(png, start, length) : null;
            if (kv == null || !keywords.contains(kv[0])) {
                out.write(png, start - 8, length + 12);
            }
            end[0] = start + length + 4;
            return true;
        });
        out.write(png, end[0], png.length - end[0]);
        return out.toByteArray();
    }

    private interface ChunkVisitor {
        boolean visit(String type, int dataStart, int length);
    }

    /** Visits each chunk (type, data offset, data length) up to and including IEND. @throws IllegalArgumentException if malformed */
    private static void walk(byte[] png, ChunkVisitor visitor) {
        if (!isPng(png)) {
            throw new IllegalArgumentException("not a PNG");
        }
        int at = SIGNATURE.length;
        while (true) {
            if (at + 12 > png.length) {
                throw new IllegalArgumentException("truncated PNG: no IEND");
            }
            long length = ByteBuffer.wrap(png, at, 4).getInt() & 0xFFFFFFFFL;
            if (length > png.length - at - 12) {
                throw new IllegalArgumentException("truncated PNG: a chunk runs past the end");
            }
            String type = new String(png, at + 4, 4, StandardCharsets.ISO_8859_1);
            visitor.visit(type, at + 8, (int) length);
            if (type.equals("IEND")) {
                return;
            }
            at += 12 + (int) length;
        }
    }

    private static int find(byte[] png, String wanted) {
        int[] found = {-1};
        walk(png, (type, start, length) -> {
            if (type.equals(wanted) && found[0] < 0) {
                found[0] = start - 8;
            }
            return true;
        });
        if (found[0] < 0) {
            throw new IllegalArgumentException("no " + wanted + " chunk");
        }
        return found[0];
    }

    private static byte[] itxt(String keyword, String text) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        byte[] k = keyword.getBytes(StandardCharsets.ISO_8859_1);
        data.write(k, 0, k.length);
        data.write(0);  // keyword terminator
        data.write(0);  // not compressed
        data.write(0);  // compression method
        data.write(0);  // no language tag
        data.write(0);  // no translated keyword
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        data.write(t, 0, t.length);
        return data.toByteArray();
    }

    private static void writeChunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
        out.write(ByteBuffer.allocate(4).putInt(data.length).array(), 0, 4);
        out.write(t, 0, 4);
        out.write(data, 0, data.length);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array(), 0, 4);
    }

    /** keyword and text of an uncompressed iTXt chunk, or null (compressed, or malformed). */
    private static String[] parseItxt(byte[] png, int start, int length) {
        int end = start + length;
        int k = indexOf(png, start, end, (byte) 0);
        if (k < 0 || k + 3 > end || png[k + 1] != 0) {
            return null;
        }
        int lang = indexOf(png, k + 3, end, (byte) 0);
        int translated = lang < 0 ? -1 : indexOf(png, lang + 1, end, (byte) 0);
        if (translated < 0) {
            return null;
        }
        return new String[] {new String(png, start, k - start, StandardCharsets.ISO_8859_1),
                new String(png, translated + 1, end - translated - 1, StandardCharsets.UTF_8)};
    }

    private static String[] parseText(byte[] png, int start, int length) {
        int end = start + length;
        int k = indexOf(png, start, end, (byte) 0);
        return k < 0 ? null : new String[] {new String(png, start, k - start, StandardCharsets.ISO_8859_1),
                new String(png, k + 1, end - k - 1, StandardCharsets.ISO_8859_1)};
    }

    private static int indexOf(byte[] b, int from, int to, byte value) {
        for (int i = from; i < to; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
