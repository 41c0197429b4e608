package dev.genq.storage.outage;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * Tells a database that cannot be reached (down, restarting, network gone, pool exhausted) from a
 * query that is wrong. The first is worth retrying later and is the server's problem, not the caller's.
 */
public final class DatabaseOutage {
    private DatabaseOutage() {
    }

    /** True if anything in the cause chain says the connection to PostgreSQL failed or was refused. */
    public static boolean isCause(Throwable error) {
        return Causes.chain(error).anyMatch(DatabaseOutage::isConnectionFailure);
    }

    private static boolean isConnectionFailure(Throwable t) {
        if (t instanceof SQLTransientConnectionException) {
            return true;
        }
        if (t instanceof SQLException sql) {
            String state = sql.getSQLState();
            // 08xxx: connection exceptions; 57P0x: the server is shutting down or not yet accepting
            return state != null && (state.startsWith("08") || state.startsWith("57P0"))
                    // Agroal: no connection could be had in the acquisition timeout
                    || sql.getMessage() != null && sql.getMessage().startsWith("Acquisition timeout");
        }
        return false;
    }
}
