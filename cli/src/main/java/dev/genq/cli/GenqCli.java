package dev.genq.cli;

import dev.genq.client.GenqException;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code genq}: the command line of the genq API. The key comes from {@code GENQ_KEY} or the config file, never
 * from an argument (arguments show in the process list and shell history).
 */
@Command(name = "genq", mixinStandardHelpOptions = true, version = "genq 0.1.0",
        description = "Submit image jobs to genq, follow them, download their pictures.",
        footer = {"", "Key and gateway: GENQ_KEY and GENQ_URL (default http://127.0.0.1:8080), or key= and url= in "
                + "~/.config/genq/config (GENQ_CONFIG names another file).",
                "Exit codes: 0 done, 1 the API refused (its problem printed), 2 usage error, 3 a job did not succeed."},
        subcommands = {SubmitCommand.class, JobsCommand.class, DownloadCommand.class, UpscaleCommand.class,
                CancelCommand.class, UsageCommand.class})
public final class GenqCli implements Runnable {
    static final int REFUSED = 1;
    static final int JOB_NOT_SUCCEEDED = 3;

    final Map<String, String> env;

    GenqCli(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "name a command: submit, jobs, download, upscale, cancel, usage");
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line; the environment is a parameter so tests run it in-process. */
    public static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new GenqCli(env));
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof GenqException g) {
                err.println("error: " + g.getMessage());
                if (g.problem().errors() != null && g.problem().errors().size() > 1) {
                    g.problem().errors().forEach(f -> err.println("  " + f.field() + ": " + f.message() + " (" + f.code() + ")"));
                }
                return REFUSED;
            }
            if (e instanceof CliSettings.MissingKeyException || e instanceof IllegalArgumentException) {
                err.println("error: " + e.getMessage());
                return CommandLine.ExitCode.USAGE;
            }
            throw e;
        });
        return cli.execute(args);
    }
}
