package dev.genq.cli;

import dev.genq.client.GenqClient;
import dev.genq.client.Job;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** How a job is shown and saved: one summary line, one line per sample, PNGs named after the job and sample. */
final class JobPrinter {
    private JobPrinter() {
    }

    static void print(PrintWriter out, Job job) {
        out.println(job.id() + "  " + job.status() + "  " + job.mode()
                + (job.modelVersion() == null ? "" : "  " + job.modelVersion())
                + (job.cost() == null ? "" : "  $" + job.cost().usd().toPlainString())
                + (job.parentId() == null ? "" : "  from " + job.parentId() + " #" + job.parentSample())
                + (job.error() == null ? "" : "  " + job.error().code() + ": " + job.error().message()));
        if (job.samples() != null) {
            for (Job.Sample s : job.samples()) {
                out.println("  #" + s.index() + "  " + s.status() + "  seed " + s.seed() + "  " + s.width() + "x" + s.height()
                        + (s.cost() == null ? "" : "  $" + s.cost().usd().toPlainString()));
            }
        }
    }

    /** Follows a job to its end when asked, prints it, saves its released pictures into {@code dir}; the exit code. */
    static int finish(GenqClient genq, PrintWriter out, Job job, boolean wait, Duration timeout, Path dir) {
        if (wait) {
            job = genq.waitFor(job.id(), timeout);
        }
        print(out, job);
        if (dir != null && job.samples() != null) {
            for (Job.Sample s : job.samples()) {
                if (s.released()) {
                    out.println("  saved " + save(dir, job, s.index(), genq.download(s)));
                }
            }
        }
        return !wait || "succeeded".equals(job.status()) ? 0 : GenqCli.JOB_NOT_SUCCEEDED;
    }

    static Path save(Path dir, Job job, int sample, byte[] png) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(job.id() + "-" + sample + ".png");
            Files.write(file, png);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
