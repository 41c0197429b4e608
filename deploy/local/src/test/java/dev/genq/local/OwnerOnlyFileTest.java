package dev.genq.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OwnerOnlyFileTest {

    @Test
    void aSecretFileIsOwnerOnlyAndReplacesAReadableOne(@TempDir Path dir) throws Exception {
        Path keys = dir.resolve(LocalPlatform.KEYS_FILE);
        Files.writeString(keys, "old");
        Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString("rw-r--r--"));

        LocalPlatform.writeOwnerOnly(keys, "GENQ_AUTH_BOOTSTRAP_ADMIN_KEY=gq_x\n");

        assertEquals("GENQ_AUTH_BOOTSTRAP_ADMIN_KEY=gq_x\n", Files.readString(keys));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keys)));
        assertFalse(Files.exists(dir.resolve(LocalPlatform.KEYS_FILE + ".new")), "no file left beside it");
    }
}
