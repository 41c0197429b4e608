package dev.genq.storage.outage;

import java.util.stream.Stream;

/** A throwable and its causes, outermost first (a cause that is its own cause ends the chain). */
public final class Causes {
    private Causes() {
    }

    public static Stream<Throwable> chain(Throwable error) {
        return Stream.iterate(error, t -> t != null, t -> t.getCause() == t ? null : t.getCause());
    }
}
