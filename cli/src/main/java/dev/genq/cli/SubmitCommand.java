package dev.genq.cli;

import dev.genq.client.GenqClient;
import dev.genq.client.JobRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

@Command(name = "submit", description = "Queue a job for a prompt; with --wait follow it to its end, with -o save its pictures.")
final class SubmitCommand implements Callable<Integer> {
    @ParentCommand
    GenqCli cli;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", description = "the prompt")
    String prompt;

    @Option(names = "--negative", description = "what to steer away from")
    String negative;

    @Option(names = "--mode", description = "preview (default: the cheap stage only) or full (preview and upscale)")
    String mode;

    @Option(names = {"-n", "--samples"}, description = "how many pictures (default ${DEFAULT-VALUE}: four to choose from)",
            defaultValue = "4")
    int samples;

    @Option(names = "--steps")
    Integer steps;

    @Option(names = "--guidance")
    Double guidance;

    @Option(names = "--seed", description = "the first sample's seed (the others follow it); random when omitted")
    Long seed;

    @Option(names = "--model", description = "default: the deployment's default model")
    String model;

    @Option(names = "--size", description = "WIDTHxHEIGHT, one of the model's sizes (GET /v1/models lists them; "
            + "default: its native square)")
    String size;

    @Option(names = "--estimate", description = "only say what it would cost and wait (a dry run: nothing is created)")
    boolean estimate;

    @Mixin
    WaitOptions waiting;

    @Override
    public Integer call() {
        GenqClient genq = CliSettings.client(cli.env);
        JobRequest request = JobRequest.of(prompt);
        request = negative == null ? request : request.withNegativePrompt(negative);
        request = mode == null ? request : request.withMode(mode);
        request = request.withSamples(samples);
        request = steps == null ? request : request.withSteps(steps);
        request = guidance == null ? request : request.withGuidanceScale(guidance);
        request = seed == null ? request : request.withSeed(seed);
        request = model == null ? request : request.withModel(model);
        if (size != null) {
            int x = size.indexOf('x');
            try {
                request = request.withSize(Integer.parseInt(size.substring(0, x)), Integer.parseInt(size.substring(x + 1)));
            } catch (RuntimeException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--size must be WIDTHxHEIGHT, e.g. 48x32");
            }
        }
        var out = spec.commandLine().getOut();
        if (estimate) {
            var e = genq.estimate(request);
            out.println("would cost $" + e.estimatedCostUsd().toPlainString() + " (" + e.numSamples() + " samples x "
                    + e.billedSteps() + " steps" + (e.upscaleSteps() > 0 ? " + " + e.upscaleSteps() + " upscale steps" : "")
                    + (e.costMeasured() ? ", measured" : ", configured") + " cost per step)"
                    + (e.cacheHit() ? ", answered from the result cache" : "")
                    + ", " + e.queuePosition() + " jobs ahead; nothing was created");
            return 0;
        }
        return waiting.finish(genq, out, genq.submit(request));
    }
}
