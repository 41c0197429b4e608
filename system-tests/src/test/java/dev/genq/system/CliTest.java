package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.cli.GenqCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The genq CLI (cli/) against the whole platform, as the README's tour runs it: submit and wait with the pictures
 * saved, list, upscale one sample, download one, usage; a refusal exits 1 with the API's code, no key exits 2.
 */
class CliTest {
    final Platform platform = Platform.get();
    static final Pattern JOB_LINE = Pattern.compile("(?m)^([0-9a-f-]{36})  (\\w+)  (\\w+)");

    record Run(int exit, String out, String err) {
    }

    Run genq(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = GenqCli.run(args, env, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void theTourSubmitsWaitsSavesListsUpscalesDownloadsAndReportsUsage(@TempDir Path dir) throws Exception {
        Map<String, String> env = Map.of("GENQ_URL", platform.gatewayUrl, "GENQ_KEY", platform.newTenant(""),
                "HOME", dir.toString());
        Run submit = genq(env, "submit", "a grinning cat", "--steps", "8", "--seed", "3", "--wait", "-o", dir.resolve("out").toString());
        assertEquals(0, submit.exit(), submit.err() + submit.out());
        Matcher m = JOB_LINE.matcher(submit.out());
        assertTrue(m.find(), submit.out());
        String id = m.group(1);
        assertEquals("succeeded", m.group(2));
        List<Path> saved;
        try (Stream<Path> files = Files.list(dir.resolve("out"))) {
            saved = files.sorted().toList();
        }
        assertEquals(4, saved.size(), submit.out());
        for (Path png : saved) {
            assertTrue(png.getFileName().toString().startsWith(id + "-"), png.toString());
            Pictures.assertPicture(Files.readAllBytes(png), 32, "a picture the CLI saved");
        }

        Run jobs = genq(env, "jobs");
        assertEquals(0, jobs.exit(), jobs.err());
        assertTrue(jobs.out().lines().anyMatch(l -> l.startsWith(id) && l.contains("succeeded") && l.endsWith("a grinning cat")), jobs.out());

        Run upscale = genq(env, "upscale", id, "--sample", "2", "-o", dir.resolve("up").toString());
        assertEquals(0, upscale.exit(), upscale.err() + upscale.out());
        assertTrue(upscale.out().contains("from " + id + " #2"), upscale.out());
        try (Stream<Path> files = Files.list(dir.resolve("up"))) {
            Pictures.assertPicture(Files.readAllBytes(files.findFirst().orElseThrow()), 128, "the upscale the CLI saved");
        }

        Run download = genq(env, "download", id, "--sample", "1", "-o", dir.resolve("one").toString());
        assertEquals(0, download.exit(), download.err());
        org.junit.jupiter.api.Assertions.assertArrayEquals(Files.readAllBytes(saved.get(1)), Files.readAllBytes(dir.resolve("one").resolve(id + "-1.png")));

        Run usage = genq(env, "usage");
        assertEquals(0, usage.exit(), usage.err());
        assertTrue(usage.out().lines().anyMatch(l -> l.startsWith("total") && l.matches(".*\\s5\\s.*")), "4 previews + 1 upscale: " + usage.out());
    }

    @Test
    void aRefusalExitsOneWithTheApisCodeAndNoKeyExitsTwo(@TempDir Path dir) {
        Map<String, String> env = Map.of("GENQ_URL", platform.gatewayUrl, "GENQ_KEY", platform.newTenant(""), "HOME", dir.toString());
        Run refused = genq(env, "submit", "too long", "--steps", "100000");
        assertEquals(1, refused.exit());
        assertTrue(refused.err().startsWith("error: 400 steps_out_of_range: 'steps' must be between 1 and"), refused.err());

        Run noKey = genq(Map.of("GENQ_URL", platform.gatewayUrl, "HOME", dir.toString()), "jobs");
        assertEquals(2, noKey.exit());
        assertTrue(noKey.err().contains("no API key: set GENQ_KEY, or key= in"), noKey.err());
    }

    @Test
    void theKeyAndGatewayComeFromTheConfigFileWhenTheEnvironmentHasNone(@TempDir Path dir) throws Exception {
        Path config = dir.resolve(".config/genq/config");
        Files.createDirectories(config.getParent());
        Files.writeString(config, "url=" + platform.gatewayUrl + "\nkey=" + platform.newTenant("") + "\n");
        Run estimate = genq(Map.of("HOME", dir.toString()), "submit", "a red apple", "--steps", "8", "--estimate");
        assertEquals(0, estimate.exit(), estimate.err());
        assertTrue(estimate.out().matches("(?s)would cost \\$[0-9.]+ \\(4 samples x 8 steps, (measured|configured) cost per step\\).*nothing was created\\s*"),
                estimate.out());
    }
}
