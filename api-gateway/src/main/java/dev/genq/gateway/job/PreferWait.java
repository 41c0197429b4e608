package dev.genq.gateway.job;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code Prefer: wait=N} (RFC 7240): how long a client is willing to wait for the job to finish. */
final class PreferWait {
    static final int MAX_SECONDS = 60;
    private static final Pattern WAIT = Pattern.compile("(?:^|[,;\\s])wait\\s*=\\s*(\\d{1,9})(?:$|[,;\\s])");

    private PreferWait() {
    }

    /** @return seconds to wait, at most 60; 0 when the header asks for none (an unreadable preference is ignored) */
    static int seconds(String prefer) {
        if (prefer == null) {
            return 0;
        }
        Matcher m = WAIT.matcher(prefer.toLowerCase(java.util.Locale.ROOT));
        return m.find() ? Math.min(Integer.parseInt(m.group(1)), MAX_SECONDS) : 0;
    }
}
