package dev.genq.cli;

import dev.genq.client.GenqClient;
import dev.genq.client.Job;
import dev.genq.client.JobPage;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "jobs", description = "List your jobs, newest first.")
final class JobsCommand implements Callable<Integer> {
    @ParentCommand
    GenqCli cli;

    @Spec
    CommandSpec spec;

    @Option(names = "--status", description = "only these statuses, comma-separated (e.g. succeeded,failed)")
    String status;

    @Option(names = "--limit", description = "at most this many (default ${DEFAULT-VALUE}); --all for every job", defaultValue = "20")
    int limit;

    @Option(names = "--all", description = "every job, page after page")
    boolean all;

    @Override
    public Integer call() {
        GenqClient genq = CliSettings.client(cli.env);
        var out = spec.commandLine().getOut();
        out.printf("%-36s  %-20s  %-7s  %-12s  %7s  %-12s  %s%n", "ID", "CREATED", "MODE", "STATUS", "SAMPLES", "COST USD", "PROMPT");
        Iterable<Job> jobs = all ? genq.jobs(status) : page(genq);
        for (Job j : jobs) {
            String prompt = j.params() == null || j.params().prompt() == null ? "" : j.params().prompt();
            out.printf("%-36s  %-20s  %-7s  %-12s  %7d  %-12s  %s%n", j.id(),
                    j.timings() == null ? "" : j.timings().createdAt().toInstant().toString().substring(0, 19).replace('T', ' '),
                    j.mode(), j.status(), j.samples() == null ? 0 : j.samples().size(),
                    j.cost() == null ? "" : j.cost().usd().toPlainString(),
                    prompt.length() > 60 ? prompt.substring(0, 57) + "..." : prompt);
        }
        return 0;
    }

    private Iterable<Job> page(GenqClient genq) {
        JobPage page = genq.list(status, null, Math.max(1, Math.min(100, limit)));
        return page.data();
    }
}
