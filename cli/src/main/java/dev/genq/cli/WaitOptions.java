package dev.genq.cli;

import dev.genq.client.GenqClient;
import dev.genq.client.Job;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The options of a command that creates a job: follow it, for how long, and where its pictures go. */
final class WaitOptions {
    @Option(names = "--wait", description = "follow the job until it ends")
    boolean wait;

    @Option(names = "--timeout", description = "give up waiting after this many seconds (default ${DEFAULT-VALUE})", defaultValue = "300")
    long timeoutSeconds;

    @Option(names = {"-o", "--output"}, description = "save released pictures into this directory (implies --wait)")
    Path output;

    /** Prints the job (followed to its end when asked) and saves its pictures; the exit code. */
    int finish(GenqClient genq, PrintWriter out, Job job) {
        return JobPrinter.finish(genq, out, job, wait || output != null, Duration.ofSeconds(timeoutSeconds), output);
    }
}
