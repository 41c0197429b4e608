package dev.genq.cli;

import dev.genq.client.GenqClient;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "upscale", description = "Upscale one released sample of a preview job (a new full job).")
final class UpscaleCommand implements Callable<Integer> {
    @ParentCommand
    GenqCli cli;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", description = "the preview job's id")
    UUID id;

    @Option(names = "--sample", required = true, description = "which of its samples")
    int sample;

    @Mixin
    WaitOptions waiting;

    @Override
    public Integer call() {
        GenqClient genq = CliSettings.client(cli.env);
        return waiting.finish(genq, spec.commandLine().getOut(), genq.upscale(id, sample));
    }
}
