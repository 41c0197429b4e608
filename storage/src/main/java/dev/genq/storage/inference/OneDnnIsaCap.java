package dev.genq.storage.inference;

import com.sun.jna.Library;
import com.sun.jna.Native;
import org.jboss.logging.Logger;

/**
 * Caps the instruction set oneDNN (libtorch's convolution and matmul backend) may JIT for, before
 * libtorch is loaded. On AMD Zen 4 (AVX-512 with avx512_vp2intersect) oneDNN's AVX-512 kernels in
 * libtorch 2.7.1 corrupt the native heap: the emoji models' outputs turn to NaN (solid black PNGs) after a
 * few stages, sooner the more the JVM's GC recycles direct memory. Capped at AVX2 the same runs stay
 * finite (DESIGN.md section 5). An operator's own {@code ONEDNN_MAX_CPU_ISA} always wins; the system
 * property {@code genq.onednn.max-cpu-isa} sets another cap, and {@code ALL} lifts it.
 */
public final class OneDnnIsaCap {
    private static final Logger LOG = Logger.getLogger(OneDnnIsaCap.class);
    public static final String VARIABLE = "ONEDNN_MAX_CPU_ISA";
    static final String DEFAULT = "AVX2";
    private static volatile String applied;

    private OneDnnIsaCap() {
    }

    private interface LibC extends Library {
        int setenv(String name, String value, int overwrite);
    }

    /** Idempotent; must run before the first model is loaded (oneDNN reads the variable once). */
    public static synchronized String apply() {
        if (applied != null) {
            return applied;
        }
        String fromEnv = System.getenv(VARIABLE);
        if (fromEnv != null && !fromEnv.isBlank()) {
            applied = fromEnv;
            return applied;
        }
        String cap = System.getProperty("genq.onednn.max-cpu-isa", DEFAULT);
        if (!"ALL".equalsIgnoreCase(cap)) {
            try {
                Native.load("c", LibC.class).setenv(VARIABLE, cap, 0);
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                LOG.warnf("could not cap oneDNN at %s (%s): set %s=%s in the environment", cap, e.getMessage(), VARIABLE, cap);
                cap = "ALL";
            }
        }
        applied = cap;
        return applied;
    }
}
