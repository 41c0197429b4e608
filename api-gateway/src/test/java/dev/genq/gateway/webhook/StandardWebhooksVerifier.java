package dev.genq.gateway.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Verifies received deliveries with the npm {@code standardwebhooks} package (the Standard Webhooks
 * reference implementation), run by Node.js: an independent check of our signatures. Installs the
 * package with npm (from the registry) the first time.
 */
final class StandardWebhooksVerifier {
    private static final Path DIR = Path.of("src/test/webhook-verify");

    private StandardWebhooksVerifier() {
    }

    /** @return node's output: one "ok <id>" or "fail <reason>" line per delivery */
    static List<String> verify(String secret, List<WebhookReceiver.Received> deliveries) throws IOException, InterruptedException {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.genq.local.RequiredTools.available(
                "the Standard Webhooks signature check with the npm reference package", dev.genq.local.RequiredTools.onPath("node", "npm"),
                "apt-get install nodejs npm"), "Node.js is not installed");
        if (!Files.isDirectory(DIR.resolve("node_modules/standardwebhooks"))) {
            run(List.of("npm", "ci", "--no-audit", "--no-fund"), null, 180);
        }
        String input = new ObjectMapper().writeValueAsString(Map.of("secret", secret, "deliveries",
                deliveries.stream().map(d -> Map.of("headers", d.headers(), "body", d.body())).toList()));
        return run(List.of("node", "verify.js"), input, 60);
    }

    private static List<String> run(List<String> command, String stdin, int timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.PIPE).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(command + " did not finish in " + timeoutSeconds + " s");
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(l -> l.startsWith("ok ") || l.startsWith("fail ") || p.exitValue() != 0 && stdin == null).toList();
    }
}
