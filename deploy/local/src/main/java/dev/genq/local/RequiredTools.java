package dev.genq.local;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tools from outside Maven that two checks need (Chromium for the review page, Node.js for the Standard
 * Webhooks reference verifier). Where one is missing, {@code ./mvnw verify} skips those checks with a loud
 * notice instead of failing, so the README's test command passes on a plain JDK machine; CI (.ci/run)
 * installs them and sets {@code GENQ_REQUIRE_TOOLS=1}, under which a missing tool fails the build.
 */
public final class RequiredTools {
    private RequiredTools() {
    }

    /** Whether the named executables are all on the PATH (or are absolute paths that exist). */
    public static boolean onPath(String... executables) {
        for (String exe : executables) {
            if (exe.startsWith("/") ? !Files.isExecutable(Path.of(exe)) : !onPath(exe)) {
                return false;
            }
        }
        return true;
    }

    private static boolean onPath(String exe) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, exe))) {
                return true;
            }
        }
        return false;
    }

    /**
     * @return true when the tool is present; false (after a notice on stderr) when the caller should skip
     * @throws IllegalStateException when it is missing and {@code GENQ_REQUIRE_TOOLS=1} (CI)
     */
    public static boolean available(String check, boolean present, String install) {
        if (present) {
            return true;
        }
        if ("1".equals(System.getenv("GENQ_REQUIRE_TOOLS"))) {
            throw new IllegalStateException(check + " needs tools this machine lacks (GENQ_REQUIRE_TOOLS=1): " + install);
        }
        System.err.println();
        System.err.println("*** SKIPPED: " + check + " (missing here: " + install + "; .ci/run installs it and runs it) ***");
        System.err.println();
        return false;
    }
}
