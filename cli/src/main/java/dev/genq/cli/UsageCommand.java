package dev.genq.cli;

import dev.genq.client.Usage;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "usage", description = "Samples, compute seconds and cost per UTC day and model.")
final class UsageCommand implements Callable<Integer> {
    @ParentCommand
    GenqCli cli;

    @Spec
    CommandSpec spec;

    @Option(names = "--from", description = "first day, YYYY-MM-DD (default: 29 days before --to)")
    LocalDate from;

    @Option(names = "--to", description = "last day, YYYY-MM-DD (default: today, UTC)")
    LocalDate to;

    @Override
    public Integer call() {
        Usage u = CliSettings.client(cli.env).usage(from, to);
        var out = spec.commandLine().getOut();
        out.printf("%-10s  %-28s  %8s  %12s  %s%n", "DAY", "MODEL", "SAMPLES", "COMPUTE S", "USD");
        for (Usage.Day d : u.days()) {
            out.printf("%-10s  %-28s  %8d  %12.3f  %s%n", d.day(), d.model(), d.samples(), d.computeSeconds(), d.usd().toPlainString());
        }
        out.printf("%-10s  %-28s  %8d  %12.3f  %s%n", "total", u.from() + ".." + u.to(), u.total().samples(),
                u.total().computeSeconds(), u.total().usd().toPlainString());
        return 0;
    }
}
