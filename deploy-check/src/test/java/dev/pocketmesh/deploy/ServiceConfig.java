package dev.pocketmesh.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What one mesh service reads from its configuration, taken from the sources themselves: its
 * {@code application.properties} and the config keys its code (and the libraries of this repository it runs
 * with) reads through {@code @ConfigProperty} and {@code @ConfigMapping}. Deployment files are checked against
 * this, so a key renamed in a service, or an env name typed wrong in a manifest, fails a test.
 */
record ServiceConfig(String module, Properties properties, Set<String> keysReadByCode,
        List<Mapping> mappings) {

    /** The mesh's services: Maven module = image name = application name. */
    static final List<String> SERVICES = List.of("orchestrator", "hpo-service", "trial-worker", "evaluator");

    /** Modules whose code runs inside every service (shared-model's MeshStateProducer and TopicSetup, ...). */
    private static final List<String> LIBRARIES = List.of("shared-model", "model-core");

    private static final Pattern CONFIG_PROPERTY = Pattern.compile("@ConfigProperty\\(\\s*name\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern CONFIG_MAPPING = Pattern.compile("@ConfigMapping\\(\\s*prefix\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern ACCESSOR = Pattern.compile("\\b(\\w+)\\(\\)\\s*;");
    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([^}:]+)(?::([^}]*))?}");

    /** A {@code @ConfigMapping} interface: its prefix and the accessor names declared in its file. */
    record Mapping(String prefix, Set<String> accessors) {
        /** True when every segment after the prefix names an accessor (kebab-case to camelCase, as SmallRye). */
        boolean covers(String key) {
            if (!key.startsWith(prefix + ".")) {
                return false;
            }
            for (String segment : key.substring(prefix.length() + 1).split("\\.")) {
                if (!accessors.contains(camel(segment))) {
                    return false;
                }
            }
            return true;
        }
    }

    static Path repoRoot() {
        String root = System.getProperty("pocketmesh.repo.root");
        Path path = root != null ? Path.of(root) : Path.of("..");
        return path.toAbsolutePath().normalize();
    }

    static ServiceConfig load(String module) {
        Path root = repoRoot();
        Path file = root.resolve(module).resolve("src/main/resources/application.properties");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no service module '" + module + "': " + file + " is missing");
        }
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Set<String> keys = new HashSet<>();
        List<Mapping> mappings = new ArrayList<>();
        for (String source : Stream.concat(Stream.of(module), LIBRARIES.stream()).toList()) {
            scanSources(root.resolve(source).resolve("src/main/java"), keys, mappings);
        }
        return new ServiceConfig(module, properties, Set.copyOf(keys), List.copyOf(mappings));
    }

    private static void scanSources(Path dir, Set<String> keys, List<Mapping> mappings) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String text = Files.readString(f);
                Matcher property = CONFIG_PROPERTY.matcher(text);
                while (property.find()) {
                    keys.add(property.group(1));
                }
                Matcher mapping = CONFIG_MAPPING.matcher(text);
                if (mapping.find()) {
                    Set<String> accessors = new HashSet<>();
                    Matcher accessor = ACCESSOR.matcher(text);
                    while (accessor.find()) {
                        accessors.add(accessor.group(1));
                    }
                    mappings.add(new Mapping(mapping.group(1), accessors));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** quarkus.http.port: where the service listens, its probes and its Service port. */
    int httpPort() {
        return Integer.parseInt(require("quarkus.http.port"));
    }

    /** A property as the service sees it, with {@code ${key}} expressions resolved (overrides first). */
    String property(String key, Map<String, String> overrides) {
        return resolve(overrides.containsKey(key) ? overrides.get(key) : require(key), overrides);
    }

    private String resolve(String raw, Map<String, String> overrides) {
        Matcher m = EXPRESSION.matcher(raw);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value = overrides.containsKey(name) ? overrides.get(name) : properties.getProperty(name, m.group(2));
            if (value == null) {
                throw new IllegalStateException(module + ": ${" + name + "} in '" + raw + "' is unset");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(resolve(value, overrides)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private String require(String key) {
        String value = properties.getProperty(key);
        if (value == null) {
            throw new IllegalStateException(module + "'s application.properties has no " + key);
        }
        return value;
    }

    /**
     * True when an environment variable of this name sets a key the service reads. SmallRye Config maps an env
     * name to a key by upper-casing it and turning every non-alphanumeric character into '_'.
     */
    boolean readsEnv(String envName) {
        return Stream.of(properties.stringPropertyNames().stream().map(ServiceConfig::withoutProfile),
                        keysReadByCode.stream())
                .flatMap(s -> s)
                .anyMatch(key -> envName(key).equals(envName))
                || mappings.stream().anyMatch(m -> coversEnv(m, envName));
    }

    static String envName(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    /**
     * True when the env name stands for a key of the mapping: after the prefix, each '_' either separates two
     * segments or two words of one kebab-case segment, so every such reading is tried.
     */
    private static boolean coversEnv(Mapping m, String envName) {
        String prefix = envName(m.prefix()) + "_";
        if (!envName.startsWith(prefix)) {
            return false;
        }
        String[] words = envName.substring(prefix.length()).toLowerCase(Locale.ROOT).split("_");
        return splits(words, 0).stream().anyMatch(rest -> m.covers(m.prefix() + "." + rest));
    }

    private static List<String> splits(String[] words, int from) {
        List<String> out = new ArrayList<>();
        for (int end = from + 1; end <= words.length; end++) {
            String segment = String.join("-", java.util.Arrays.copyOfRange(words, from, end));
            if (end == words.length) {
                out.add(segment);
            } else {
                for (String tail : splits(words, end)) {
                    out.add(segment + "." + tail);
                }
            }
        }
        return out;
    }

    private static String withoutProfile(String key) {
        return key.startsWith("%") ? key.substring(key.indexOf('.') + 1) : key;
    }

    private static String camel(String kebab) {
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : kebab.toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }
}
