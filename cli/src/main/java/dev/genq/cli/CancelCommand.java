package dev.genq.cli;

import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "cancel", description = "Cancel a job: a queued one never starts, a running one stops at its next step.")
final class CancelCommand implements Callable<Integer> {
    @ParentCommand
    GenqCli cli;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", description = "the job id")
    UUID id;

    @Override
    public Integer call() {
        JobPrinter.print(spec.commandLine().getOut(), CliSettings.client(cli.env).cancel(id));
        return 0;
    }
}
