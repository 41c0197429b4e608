package dev.genq.cli;

import dev.genq.client.GenqClient;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/** Where the gateway is and which key to use: the environment first, then the config file. */
final class CliSettings {
    static final String DEFAULT_URL = "http://127.0.0.1:8080";

    private CliSettings() {
    }

    static GenqClient client(Map<String, String> env) {
        Properties file = configFile(env);
        String key = first(env.get("GENQ_KEY"), file.getProperty("key"));
        if (key == null || key.isBlank()) {
            throw new MissingKeyException("no API key: set GENQ_KEY, or key= in " + configPath(env));
        }
        String url = first(env.get("GENQ_URL"), file.getProperty("url"));
        return GenqClient.builder(url == null ? DEFAULT_URL : url, key.trim()).build();
    }

    private static Properties configFile(Map<String, String> env) {
        Properties p = new Properties();
        Path path = configPath(env);
        if (Files.isRegularFile(path)) {
            try (Reader r = Files.newBufferedReader(path)) {
                p.load(r);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + path + ": " + e.getMessage());
            }
        }
        return p;
    }

    static Path configPath(Map<String, String> env) {
        String named = env.get("GENQ_CONFIG");
        if (named != null) {
            return Path.of(named);
        }
        return Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".config", "genq", "config");
    }

    private static String first(String a, String b) {
        return a != null && !a.isBlank() ? a : b;
    }

    static final class MissingKeyException extends RuntimeException {
        MissingKeyException(String message) {
            super(message);
        }
    }
}
