package dev.pocketmesh.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Parses docker-compose.yml (there is no compose engine here) and checks it against the services' own
 * configuration: images, HTTP ports and health checks, env names that are config keys the services read, the
 * Kafka and Redis they are pointed at, the shared volumes, scalable workers and the GPU reservation.
 */
class ComposeFileTest {
    private static final Pattern HEALTH_URL = Pattern.compile("https?://[^\\s\"',\\]]+");
    private static Map<String, Object> compose;
    private static final String VOLUME_OWNER = "artifact-volume-owner";
    private static final String ARTIFACTS = "/var/lib/pocketmesh/artifacts";
    private static Map<String, Map<String, Object>> services;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void parse() {
        Path file = ServiceConfig.repoRoot().resolve("docker-compose.yml");
        // SafeConstructor: plain maps and lists; it resolves the file's YAML anchors and << merge keys.
        try (Reader in = Files.newBufferedReader(file)) {
            compose = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        services = (Map<String, Map<String, Object>>) compose.get("services");
    }

    @Test
    void declaresTheMeshAndItsInfrastructure() {
        assertThat(services).containsKeys("kafka", "redis");
        for (String service : ServiceConfig.SERVICES) {
            assertThat(meshContainers(service)).as("compose services running pocketmesh/%s", service).isNotEmpty();
        }
        assertThat(String.valueOf(services.get("kafka").get("image"))).startsWith("apache/kafka:");
        assertThat(env("kafka").get("KAFKA_PROCESS_ROLES")).as("Kafka in KRaft mode").contains("broker")
                .contains("controller");
        assertThat(String.valueOf(services.get("redis").get("command"))).as("redis-server's arguments")
                .containsPattern("--appendonly,? yes");
    }

    @Test
    void meshServicesRunTheImagesTheBuildMakes() {
        BuiltImages built = BuiltImages.fromRootPom();
        for (String name : services.keySet()) {
            meshService(services.get(name)).ifPresent(service -> assertThat(services.get(name).get("image"))
                    .as("image of %s", name).isIn(built.cpu(service.module()), built.cuda(service.module())));
        }
    }

    @Test
    void theArtifactVolumeIsHandedToTheImagesNonRootUserBeforeAnyServiceStarts() {
        BuiltImages built = BuiltImages.fromRootPom();
        Map<String, Object> owner = services.get(VOLUME_OWNER);
        assertThat(owner).as("compose service %s", VOLUME_OWNER).isNotNull();
        assertThat(owner.get("restart")).as("%s runs once", VOLUME_OWNER).isEqualTo("no");
        assertThat(((List<?>) owner.get("command")).stream().map(String::valueOf).toList()).as("command of %s",
                VOLUME_OWNER)
                .containsExactly("chown", built.user() + ":" + built.user(), ARTIFACTS);
        assertThat(mountAt(VOLUME_OWNER, ARTIFACTS)).as("%s mounts the artifact volume", VOLUME_OWNER).isPresent();
        for (String service : ServiceConfig.SERVICES) {
            for (String name : meshContainers(service)) {
                assertThat(services.get(name)).as("%s keeps the images' user (no root override)", name)
                        .doesNotContainKey("user");
                assertThat(((Map<?, ?>) map(services.get(name).get("depends_on")).get(VOLUME_OWNER)).get("condition"))
                        .as("%s waits for %s", name, VOLUME_OWNER).isEqualTo("service_completed_successfully");
            }
        }
    }

    @Test
    void everyServiceHasAHealthCheckOnItsReadinessEndpointAndPort() {
        for (String name : services.keySet()) {
            if (name.equals(VOLUME_OWNER)) {
                continue; // a one-shot container: compose waits for it to exit, not to be healthy
            }
            Map<String, Object> svc = services.get(name);
            assertThat(svc).as("compose service %s", name).containsKey("healthcheck");
            Optional<ServiceConfig> mesh = meshService(svc);
            if (mesh.isEmpty()) {
                continue;
            }
            Object check = map(svc.get("healthcheck")).get("test");
            String test = check instanceof List<?> words ? String.join(" ", words.stream().map(String::valueOf)
                    .toList()) : String.valueOf(check);
            Matcher url = HEALTH_URL.matcher(test);
            assertThat(url.find()).as("an HTTP URL in the health check of %s: %s", name, test).isTrue();
            URI uri = URI.create(url.group());
            assertThat(uri.getPath()).as("health check path of %s", name).isEqualTo("/q/health/ready");
            assertThat(uri.getPort()).as("health check port of %s (its quarkus.http.port)", name)
                    .isEqualTo(mesh.get().httpPort());
            for (Object port : (List<?>) svc.getOrDefault("ports", List.of())) {
                String[] parts = String.valueOf(port).split(":");
                assertThat(Integer.parseInt(parts[parts.length - 1])).as("container port published by %s", name)
                        .isEqualTo(mesh.get().httpPort());
            }
        }
    }

    @Test
    void environmentNamesAreKeysTheServicesRead() {
        List<String> unread = new ArrayList<>();
        for (String name : services.keySet()) {
            meshService(services.get(name)).ifPresent(mesh -> env(name).keySet().stream()
                    .filter(n -> n.startsWith("POCKETMESH_") || n.startsWith("KAFKA_") || n.startsWith("MP_")
                            || n.startsWith("QUARKUS_") || n.startsWith("SMALLRYE_"))
                    .filter(n -> !mesh.readsEnv(n))
                    .forEach(n -> unread.add(n + " (" + name + ")")));
        }
        assertThat(unread).as("env names that set no config key the service reads").isEmpty();
    }

    @Test
    void servicesPointAtTheComposeKafkaAndRedisAndCarryTheApiToken() {
        for (String name : services.keySet()) {
            Optional<ServiceConfig> mesh = meshService(services.get(name));
            if (mesh.isEmpty()) {
                continue;
            }
            Map<String, String> env = env(name);
            assertThat(env).as("environment of %s", name).containsKeys("KAFKA_BOOTSTRAP_SERVERS",
                    "POCKETMESH_REDIS_URL");
            String[] kafka = env.get("KAFKA_BOOTSTRAP_SERVERS").split(":");
            assertThat(services).as("compose service of %s's Kafka", name).containsKey(kafka[0]);
            assertThat(env(kafka[0]).get("KAFKA_LISTENERS")).as("listeners of the broker %s uses", name)
                    .contains(":" + kafka[1]);
            URI redis = URI.create(env.get("POCKETMESH_REDIS_URL"));
            assertThat(services).as("compose service of %s's Redis", name).containsKey(redis.getHost());
            if (List.of("orchestrator", "hpo-service").contains(mesh.get().module())) {
                assertThat(env).as("bearer token of %s's REST API", name).containsKey("POCKETMESH_AUTH_TOKEN");
            }
        }
    }

    @Test
    void modelsLiveOnASharedVolumeAndDatasetsAreMountedReadOnly() {
        Map<String, Object> volumes = map(compose.get("volumes"));
        // Jobs name datasets under the roots the orchestrator confines them to; every service that reads them mounts those.
        String datasetRoots = env("orchestrator").get("POCKETMESH_DATASETS_ROOTS");
        assertThat(datasetRoots).as("POCKETMESH_DATASETS_ROOTS of the orchestrator").isNotBlank();
        for (String service : List.of("orchestrator", "trial-worker", "evaluator")) {
            for (String name : meshContainers(service)) {
                Map<String, String> env = env(name);
                String root = env.get("POCKETMESH_ARTIFACTS_ROOT");
                assertThat(root).as("POCKETMESH_ARTIFACTS_ROOT of %s", name).isNotBlank();
                String artifacts = mountAt(name, root).orElseThrow(() -> new AssertionError(name
                        + " mounts nothing at its artifact root " + root));
                assertThat(volumes).as("top-level volumes (%s's artifact volume must be a named, shared one)", name)
                        .containsKey(artifacts.split(":")[0]);
                for (String dataset : datasetRoots.split(",")) {
                    String mount = mountAt(name, dataset).orElseThrow(() -> new AssertionError(name
                            + " mounts nothing at its dataset root " + dataset));
                    assertThat(mount).as("dataset mount of %s", name).endsWith(":ro");
                }
            }
        }
    }

    @Test
    void trialWorkersScaleAndOneReservesAnNvidiaGpu() {
        List<String> workers = meshContainers("trial-worker");
        assertThat(workers).as("trial workers: a CPU one and a GPU one").hasSizeGreaterThanOrEqualTo(2);
        List<String> gpu = new ArrayList<>();
        for (String name : workers) {
            Map<String, Object> svc = services.get(name);
            // docker compose up --scale trial-worker=N needs no fixed name and no fixed host port.
            assertThat(svc).as("compose service %s", name).doesNotContainKeys("container_name", "ports");
            assertThat(durationSeconds(String.valueOf(svc.get("stop_grace_period"))))
                    .as("stop_grace_period of %s: time to hand its trial back", name).isGreaterThan(10);
            if (reservesNvidiaGpu(svc)) {
                gpu.add(name);
                assertThat(svc.get("image")).as("image of GPU worker %s", name)
                        .isEqualTo(BuiltImages.fromRootPom().cuda("trial-worker"));
            }
        }
        assertThat(gpu).as("trial workers with an NVIDIA GPU reservation").hasSize(1);
    }

    @Test
    void servicesStartOnlyOnceKafkaAndRedisAreHealthy() {
        for (String service : ServiceConfig.SERVICES) {
            for (String name : meshContainers(service)) {
                Map<String, Object> dependsOn = map(services.get(name).get("depends_on"));
                assertThat(dependsOn).as("depends_on of %s", name).containsKeys("kafka", "redis");
                for (String infra : List.of("kafka", "redis")) {
                    assertThat(((Map<?, ?>) dependsOn.get(infra)).get("condition")).as("%s waits for %s", name, infra)
                            .isEqualTo("service_healthy");
                }
            }
        }
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private static Optional<ServiceConfig> meshService(Map<String, Object> svc) {
        String image = String.valueOf(svc.get("image"));
        if (!image.startsWith("pocketmesh/")) {
            return Optional.empty();
        }
        String module = image.substring("pocketmesh/".length()).replaceFirst("[:@].*$", "");
        assertThat(ServiceConfig.SERVICES).as("mesh images").contains(module);
        return Optional.of(ServiceConfig.load(module));
    }

    private static List<String> meshContainers(String module) {
        return services.keySet().stream().filter(n -> meshService(services.get(n))
                .map(s -> s.module().equals(module)).orElse(false)).toList();
    }

    /** A compose service's environment, in map or list form. */
    private static Map<String, String> env(String name) {
        Object env = services.get(name).get("environment");
        Map<String, String> out = new LinkedHashMap<>();
        if (env instanceof Map<?, ?> map) {
            map.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
        } else if (env instanceof List<?> list) {
            list.forEach(e -> {
                String[] kv = String.valueOf(e).split("=", 2);
                out.put(kv[0], kv.length > 1 ? kv[1] : "");
            });
        }
        return out;
    }

    /** The volume entry (short syntax, source:target[:mode]) a service mounts at a container path. */
    private static Optional<String> mountAt(String name, String target) {
        return ((List<?>) services.get(name).getOrDefault("volumes", List.of())).stream().map(String::valueOf)
                .filter(v -> v.split(":").length >= 2 && v.split(":")[1].equals(target)).findFirst();
    }

    private static boolean reservesNvidiaGpu(Map<String, Object> svc) {
        Object devices = dig(svc, "deploy", "resources", "reservations", "devices");
        return devices instanceof List<?> list && list.stream().map(Map.class::cast).anyMatch(d ->
                "nvidia".equals(d.get("driver")) && String.valueOf(d.get("capabilities")).contains("gpu"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object yaml) {
        return (Map<String, Object>) yaml;
    }

    private static Object dig(Map<?, ?> map, String... path) {
        Object at = map;
        for (String key : path) {
            if (!(at instanceof Map<?, ?> m)) {
                return null;
            }
            at = m.get(key);
        }
        return at;
    }

    private static int durationSeconds(String compose) {
        Matcher m = Pattern.compile("(\\d+)(s|m)").matcher(compose);
        assertThat(m.matches()).as("a duration like 120s or 2m: '%s'", compose).isTrue();
        return Integer.parseInt(m.group(1)) * (m.group(2).equals("m") ? 60 : 1);
    }
}
