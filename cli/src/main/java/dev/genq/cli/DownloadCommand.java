package dev.genq.cli;

import dev.genq.client.GenqClient;
import dev.genq.client.Job;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "download", description = "Save a job's released pictures (or one of them) as PNG files.")
final class DownloadCommand implements Callable<Integer> {
    @ParentCommand
    GenqCli cli;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", description = "the job id")
    UUID id;

    @Option(names = "--sample", description = "only this sample")
    Integer sample;

    @Option(names = {"-o", "--output"}, description = "the directory (default: the current one)", defaultValue = ".")
    Path output;

    @Override
    public Integer call() {
        GenqClient genq = CliSettings.client(cli.env);
        var out = spec.commandLine().getOut();
        Job job = genq.get(id);
        int saved = 0;
        for (Job.Sample s : job.samples()) {
            if ((sample == null || s.index() == sample) && s.released()) {
                out.println("saved " + JobPrinter.save(output, job, s.index(), genq.download(s)));
                saved++;
            }
        }
        if (saved == 0) {
            spec.commandLine().getErr().println("error: job " + id + " (" + job.status() + ") has no released "
                    + (sample == null ? "samples" : "sample " + sample));
            return GenqCli.JOB_NOT_SUCCEEDED;
        }
        return 0;
    }
}
