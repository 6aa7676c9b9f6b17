package dev.pocketmesh.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Renders k8s/ (the base and each overlay) with {@code kubectl kustomize}, parses every object with fabric8's
 * Kubernetes model, and checks it against the services' own configuration: probes on their health endpoints and
 * HTTP ports, env names that are keys they read, KEDA triggers on their topics and consumer groups.
 */
class KubernetesManifestsTest {
    private static final Map<String, ServiceConfig> SERVICES = ServiceConfig.SERVICES.stream()
            .collect(Collectors.toMap(Function.identity(), ServiceConfig::load));
    private static final Map<String, Manifests> RENDERED = new ConcurrentHashMap<>();
    private static final String LIVE = "/q/health/live";
    private static final String READY = "/q/health/ready";

    static Stream<String> kustomizations() {
        return Stream.of("base", "overlays/cpu", "overlays/gpu");
    }

    private static Manifests manifests(String dir) {
        return RENDERED.computeIfAbsent(dir, d -> new Manifests(Kustomize.render(d)));
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void everyPartOfTheMeshIsDeclared(String dir) {
        Manifests m = manifests(dir);
        assertThat(m.objects).extracting(HasMetadata::getKind).contains("Namespace", "ConfigMap", "Secret",
                "PersistentVolumeClaim", "Service", "Deployment", "StatefulSet", "PodDisruptionBudget",
                "ScaledObject");
        for (String service : ServiceConfig.SERVICES) {
            assertThat(m.meshDeployments(service)).as("Deployments running pocketmesh/%s in %s", service, dir)
                    .isNotEmpty();
        }
        assertThat(m.of(StatefulSet.class)).extracting(s -> s.getMetadata().getName()).contains("kafka", "redis");
        String namespace = m.only(Namespace.class).getMetadata().getName();
        for (HasMetadata o : m.objects) {
            assertThat(o.getMetadata().getName()).as("name of a %s", o.getKind()).isNotBlank();
            if (!(o instanceof Namespace)) {
                assertThat(o.getMetadata().getNamespace()).as("namespace of %s %s", o.getKind(), o.getMetadata()
                        .getName()).isEqualTo(namespace);
            }
        }
        for (GenericKubernetesResource so : m.scaledObjects()) {
            assertThat(so.getApiVersion()).isEqualTo("keda.sh/v1alpha1");
        }
        for (Deployment d : m.of(Deployment.class)) {
            assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).as("pod labels of Deployment %s, which "
                    + "its selector must match", d.getMetadata().getName())
                    .containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
        }
        for (StatefulSet s : m.of(StatefulSet.class)) {
            assertThat(s.getSpec().getTemplate().getMetadata().getLabels()).as("pod labels of StatefulSet %s, which "
                    + "its selector must match", s.getMetadata().getName())
                    .containsAllEntriesOf(s.getSpec().getSelector().getMatchLabels());
            assertThat(m.named(Service.class, s.getSpec().getServiceName()).getSpec().getSelector())
                    .as("selector of StatefulSet %s's governing Service", s.getMetadata().getName())
                    .isEqualTo(s.getSpec().getSelector().getMatchLabels());
        }
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void everyContainerHasProbesAndResources(String dir) {
        Manifests m = manifests(dir);
        m.workloads().forEach((name, pod) -> {
            for (Container c : pod.getSpec().getContainers()) {
                String where = dir + ": " + name + "/" + c.getName();
                assertThat(c.getResources()).as("resources of %s", where).isNotNull();
                assertThat(c.getResources().getRequests()).as("resource requests of %s", where)
                        .containsKeys("cpu", "memory");
                assertThat(c.getResources().getLimits()).as("resource limits of %s", where).containsKey("memory");
                assertThat(c.getLivenessProbe()).as("liveness probe of %s", where).isNotNull();
                assertThat(c.getReadinessProbe()).as("readiness probe of %s", where).isNotNull();
                Optional<ServiceConfig> service = meshService(c);
                if (service.isPresent()) {
                    int port = service.get().httpPort();
                    assertThat(c.getPorts()).as("ports of %s", where).extracting(ContainerPort::getContainerPort)
                            .contains(port);
                    assertHttpProbe(c, c.getLivenessProbe(), LIVE, port, where);
                    assertHttpProbe(c, c.getReadinessProbe(), READY, port, where);
                    if (c.getStartupProbe() != null) {
                        assertHttpProbe(c, c.getStartupProbe(), LIVE, port, where);
                    }
                }
            }
        });
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void servicesRouteToPodsOnTheirHttpPorts(String dir) {
        Manifests m = manifests(dir);
        Map<String, PodTemplateSpec> workloads = m.workloads();
        for (Service svc : m.of(Service.class)) {
            Map<String, String> selector = svc.getSpec().getSelector();
            assertThat(selector).as("selector of Service %s", svc.getMetadata().getName()).isNotEmpty();
            List<PodTemplateSpec> targets = workloads.values().stream()
                    .filter(p -> p.getMetadata().getLabels().entrySet().containsAll(selector.entrySet())).toList();
            assertThat(targets).as("pods selected by Service %s", svc.getMetadata().getName()).isNotEmpty();
            for (PodTemplateSpec pod : targets) {
                for (Container c : pod.getSpec().getContainers()) {
                    meshService(c).ifPresent(service -> {
                        ServicePort port = svc.getSpec().getPorts().get(0);
                        assertThat(port.getPort()).as("port of Service %s", svc.getMetadata().getName())
                                .isEqualTo(service.httpPort());
                        assertThat(resolvePort(c, port.getTargetPort())).as("targetPort of Service %s",
                                svc.getMetadata().getName()).isEqualTo(service.httpPort());
                    });
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void environmentNamesAreKeysTheServicesRead(String dir) {
        Manifests m = manifests(dir);
        List<String> unread = new ArrayList<>();
        m.workloads().forEach((name, pod) -> {
            for (Container c : pod.getSpec().getContainers()) {
                meshService(c).ifPresent(service -> m.environment(c).keySet().stream()
                        .filter(n -> n.startsWith("POCKETMESH_") || n.startsWith("KAFKA_") || n.startsWith("MP_")
                                || n.startsWith("QUARKUS_") || n.startsWith("SMALLRYE_"))
                        .filter(n -> !service.readsEnv(n))
                        .forEach(n -> unread.add(n + " (" + dir + ": " + name + ", " + service.module() + ")")));
            }
        });
        assertThat(unread).as("env names that set no config key the service reads").isEmpty();
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void servicesPointAtTheClustersKafkaAndRedisAndCarryTheApiToken(String dir) {
        Manifests m = manifests(dir);
        m.workloads().forEach((name, pod) -> {
            for (Container c : pod.getSpec().getContainers()) {
                Optional<ServiceConfig> service = meshService(c);
                if (service.isEmpty()) {
                    continue;
                }
                Map<String, String> env = m.environment(c);
                String where = dir + ": " + name + "/" + c.getName();
                assertThat(env).as("environment of %s", where).containsKeys("KAFKA_BOOTSTRAP_SERVERS",
                        "POCKETMESH_REDIS_URL");
                m.assertServiceAddress(env.get("KAFKA_BOOTSTRAP_SERVERS"), where + " KAFKA_BOOTSTRAP_SERVERS");
                m.assertServiceAddress(env.get("POCKETMESH_REDIS_URL").replaceFirst("^rediss?://([^@]*@)?", ""),
                        where + " POCKETMESH_REDIS_URL");
                if (service.get().module().equals("orchestrator") || service.get().module().equals("hpo-service")) {
                    assertThat(m.secretKeys(c)).as("keys %s takes from Secrets", where)
                            .contains("POCKETMESH_AUTH_TOKEN");
                }
            }
        });
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void artifactAndDatasetVolumesAreSharedWhereModelsAreRead(String dir) {
        Manifests m = manifests(dir);
        Map<String, PersistentVolumeClaim> claims = m.of(PersistentVolumeClaim.class).stream()
                .collect(Collectors.toMap(c -> c.getMetadata().getName(), c -> c));
        // Jobs name datasets under the roots the orchestrator confines them to; every service that reads them mounts those.
        Map<String, String> orchestrator = m.environment(m.meshDeployments("orchestrator").get(0).getSpec()
                .getTemplate().getSpec().getContainers().get(0));
        assertThat(orchestrator).as("environment of the orchestrator (%s)", dir).containsKey("POCKETMESH_DATASETS_ROOTS");
        String datasetRoots = orchestrator.get("POCKETMESH_DATASETS_ROOTS");
        for (String service : List.of("orchestrator", "trial-worker", "evaluator")) {
            for (Deployment d : m.meshDeployments(service)) {
                PodTemplateSpec pod = d.getSpec().getTemplate();
                Container c = pod.getSpec().getContainers().get(0);
                Map<String, String> env = m.environment(c);
                String where = dir + ": " + d.getMetadata().getName();
                assertThat(env).as("environment of %s", where).containsKeys("POCKETMESH_ARTIFACTS_ROOT");
                PersistentVolumeClaim artifacts = claims.get(m.claimMountedAt(pod, c,
                        env.get("POCKETMESH_ARTIFACTS_ROOT"), where));
                assertThat(artifacts.getSpec().getAccessModes()).as("access modes of the artifact volume")
                        .contains("ReadWriteMany");
                for (String root : datasetRoots.split(",")) {
                    VolumeMount mount = c.getVolumeMounts().stream().filter(v -> v.getMountPath().equals(root))
                            .findFirst().orElseThrow(() -> new AssertionError(where + " mounts nothing at dataset root "
                                    + root));
                    assertThat(mount.getReadOnly()).as("dataset mount of %s is read-only", where).isTrue();
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void kedaScalesTrialWorkersOnTheLagOfTheirTopicAndGroup(String dir) {
        Manifests m = manifests(dir);
        ServiceConfig worker = SERVICES.get("trial-worker");
        for (Deployment d : m.meshDeployments("trial-worker")) {
            Map<String, Object> trigger = m.kafkaTriggerScaling(d);
            assertThat(trigger.get("topic")).as("KEDA topic for %s", d.getMetadata().getName())
                    .isEqualTo(worker.property("mp.messaging.incoming.trials-proposed.topic", Map.of()));
            assertThat(trigger.get("consumerGroup")).as("KEDA consumer group for %s", d.getMetadata().getName())
                    .isEqualTo(worker.property("mp.messaging.incoming.trials-proposed.group.id", Map.of()));
            assertThat(trigger.get("offsetResetPolicy")).as("KEDA offsetResetPolicy, like the workers' consumer")
                    .isEqualTo(worker.property("mp.messaging.incoming.trials-proposed.auto.offset.reset", Map.of()));
            Map<String, Object> spec = m.scaledObjectFor(d).map(so -> spec(so)).orElseThrow();
            assertThat(spec.get("minReplicaCount")).as("trial workers scale to zero").isEqualTo(0);
            assertThat((Integer) spec.get("maxReplicaCount")).isPositive();
            m.assertServiceAddress(String.valueOf(trigger.get("bootstrapServers")), "KEDA bootstrapServers");
        }
    }

    /**
     * The services create the trial topics with {@code pocketmesh.kafka.trial-partitions} partitions; a worker (or an
     * evaluator) beyond that count would own no partition and idle, so no autoscaler may start more.
     */
    @ParameterizedTest
    @MethodSource("kustomizations")
    void autoscalersStartNoMoreConsumersThanTheTrialTopicsHavePartitions(String dir) {
        Manifests m = manifests(dir);
        String env = "POCKETMESH_KAFKA_TRIAL_PARTITIONS";
        assertThat(SERVICES.get("trial-worker").keysReadByCode()).as("the key %s sets", env)
                .contains("pocketmesh.kafka.trial-partitions");
        Set<String> values = new java.util.HashSet<>();
        for (String service : ServiceConfig.SERVICES) {
            for (Deployment d : m.meshDeployments(service)) {
                // Whichever service starts first creates the topics: all must agree on the count.
                values.add(m.environment(d.getSpec().getTemplate().getSpec().getContainers().get(0)).get(env));
            }
        }
        assertThat(values).as("%s of every mesh service (%s)", env, dir).hasSize(1).doesNotContainNull();
        int partitions = Integer.parseInt(values.iterator().next());
        for (String service : List.of("trial-worker", "evaluator")) {
            for (Deployment d : m.meshDeployments(service)) {
                Map<String, Object> spec = m.scaledObjectFor(d).map(so -> spec(so)).orElseThrow();
                assertThat((Integer) spec.get("maxReplicaCount"))
                        .as("maxReplicaCount of %s against %s partitions (%s)", d.getMetadata().getName(), partitions,
                                dir)
                        .isPositive().isLessThanOrEqualTo(partitions);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void kedaScalesEachEvaluatorPoolOnItsDeviceProfilesTopic(String dir) {
        Manifests m = manifests(dir);
        ServiceConfig evaluator = SERVICES.get("evaluator");
        List<String> servedTopics = new ArrayList<>();
        for (Deployment d : m.meshDeployments("evaluator")) {
            Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            String profile = m.environment(c).get("POCKETMESH_EVALUATOR_PROFILE");
            assertThat(profile).as("POCKETMESH_EVALUATOR_PROFILE of %s", d.getMetadata().getName()).isNotBlank();
            Map<String, String> asDeployed = Map.of("pocketmesh.evaluator.profile", profile);
            String topic = evaluator.property("mp.messaging.incoming.evaluations.topic", asDeployed);
            Map<String, Object> trigger = m.kafkaTriggerScaling(d);
            assertThat(trigger.get("topic")).as("KEDA topic for %s", d.getMetadata().getName()).isEqualTo(topic);
            assertThat(trigger.get("consumerGroup")).as("KEDA consumer group for %s", d.getMetadata().getName())
                    .isEqualTo(evaluator.property("mp.messaging.incoming.evaluations.group.id", asDeployed));
            m.assertServiceAddress(String.valueOf(trigger.get("bootstrapServers")), "KEDA bootstrapServers");
            servedTopics.add(topic);
        }
        assertThat(servedTopics).as("evaluator pools; the workers' default evaluation topic needs one")
                .contains(SERVICES.get("trial-worker").property("mp.messaging.outgoing.evaluations.topic", Map.of()));
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void kafkaRunsInKraftModeAndRedisAppendsToDisk(String dir) {
        Manifests m = manifests(dir);
        StatefulSet kafka = m.named(StatefulSet.class, "kafka");
        Container broker = kafka.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(m.environment(broker).get("KAFKA_PROCESS_ROLES")).as("KRaft roles").contains("broker")
                .contains("controller");
        assertThat(kafka.getSpec().getVolumeClaimTemplates()).as("Kafka's data volume").isNotEmpty();
        StatefulSet redis = m.named(StatefulSet.class, "redis");
        List<String> args = redis.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
        assertThat(args).as("redis-server arguments").containsSubsequence("--appendonly", "yes");
        assertThat(redis.getSpec().getVolumeClaimTemplates()).as("Redis's data volume").isNotEmpty();
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void workersAreDisruptedOneAtATimeAndGivenTimeToHandBackTheirTrial(String dir) {
        Manifests m = manifests(dir);
        for (Deployment d : m.meshDeployments("trial-worker")) {
            assertThat(d.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
                    .as("terminationGracePeriodSeconds of %s (Kubernetes' default is 30)", d.getMetadata().getName())
                    .isGreaterThan(30L);
            Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
            assertThat(m.of(PodDisruptionBudget.class)).as("a PodDisruptionBudget selecting %s",
                            d.getMetadata().getName())
                    .anyMatch(pdb -> labels.entrySet().containsAll(
                            pdb.getSpec().getSelector().getMatchLabels().entrySet()));
        }
        for (Deployment d : m.of(Deployment.class)) {
            if (m.scaledObjectFor(d).isPresent()) {
                assertThat(d.getSpec().getReplicas()).as("replicas of %s, which KEDA owns (re-applying the "
                        + "manifests would reset them)", d.getMetadata().getName()).isNull();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void meshContainersRunTheImagesTheBuildMakes(String dir) {
        BuiltImages built = BuiltImages.fromRootPom();
        manifests(dir).workloads().forEach((name, pod) -> pod.getSpec().getContainers().forEach(c -> meshService(c)
                .ifPresent(service -> assertThat(c.getImage()).as("image of %s in %s", name, dir)
                        .isIn(built.cpu(service.module()), built.cuda(service.module())))));
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void meshPodsRunAsTheImagesNonRootUserWithoutPrivilegeEscalation(String dir) {
        BuiltImages built = BuiltImages.fromRootPom();
        for (String service : SERVICES.keySet()) {
            for (Deployment d : manifests(dir).meshDeployments(service)) {
                String where = "Deployment " + d.getMetadata().getName() + " in " + dir;
                var pod = d.getSpec().getTemplate().getSpec().getSecurityContext();
                assertThat(pod).as("pod securityContext of %s", where).isNotNull();
                assertThat(pod.getRunAsNonRoot()).as("runAsNonRoot of %s", where).isTrue();
                assertThat(pod.getRunAsUser()).as("runAsUser of %s (the images' user)", where).isEqualTo(built.user());
                // The shared artifact volume must be writable by that user.
                assertThat(pod.getFsGroup()).as("fsGroup of %s", where).isEqualTo(built.user());
                for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
                    assertThat(c.getSecurityContext()).as("securityContext of container %s of %s", c.getName(), where)
                            .isNotNull();
                    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).as("allowPrivilegeEscalation "
                            + "of %s", where).isFalse();
                    assertThat(c.getSecurityContext().getCapabilities().getDrop()).as("dropped capabilities of %s",
                            where).contains("ALL");
                }
            }
        }
    }

    @Test
    void gpuOverlayRunsTrialWorkersOnNvidiaGpus() {
        Manifests m = manifests("overlays/gpu");
        for (Deployment d : m.meshDeployments("trial-worker")) {
            var pod = d.getSpec().getTemplate().getSpec();
            Container c = pod.getContainers().get(0);
            assertThat(c.getImage()).as("the CUDA build of the worker image")
                    .isEqualTo(BuiltImages.fromRootPom().cuda("trial-worker"));
            assertThat(c.getResources().getLimits().get("nvidia.com/gpu")).as("GPU limit")
                    .isNotNull().satisfies(q -> assertThat(Quantity.getAmountInBytes(q).intValue()).isPositive());
            assertThat(pod.getNodeSelector()).as("node selector of the GPU workers").isNotEmpty();
            assertThat(pod.getTolerations()).as("tolerations of the GPU workers")
                    .anyMatch(t -> "nvidia.com/gpu".equals(t.getKey()));
        }
    }

    @Test
    void cpuOverlayAsksForNoGpu() {
        Manifests m = manifests("overlays/cpu");
        m.workloads().forEach((name, pod) -> pod.getSpec().getContainers().forEach(c -> {
            assertThat(c.getResources().getLimits()).as("limits of %s", name).doesNotContainKey("nvidia.com/gpu");
            meshService(c).ifPresent(service -> assertThat(c.getImage()).as("image of %s", name)
                    .isEqualTo(BuiltImages.fromRootPom().cpu(service.module())));
        }));
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    /** The mesh service a container runs, from its image name pocketmesh/<module>[:tag]. */
    static Optional<ServiceConfig> meshService(Container c) {
        String image = c.getImage();
        int slash = image.lastIndexOf('/');
        String name = image.substring(slash + 1).replaceFirst("[:@].*$", "");
        if (!image.substring(0, Math.max(slash, 0)).endsWith("pocketmesh")) {
            return Optional.empty();
        }
        assertThat(SERVICES).as("mesh services (container %s runs image %s)", c.getName(), image).containsKey(name);
        return Optional.of(SERVICES.get(name));
    }

    private static void assertHttpProbe(Container c, Probe probe, String path, int port, String where) {
        HTTPGetAction get = probe.getHttpGet();
        assertThat(get).as("HTTP probe on %s of %s", path, where).isNotNull();
        assertThat(get.getPath()).as("probe path of %s", where).isEqualTo(path);
        assertThat(resolvePort(c, get.getPort())).as("probe port of %s", where).isEqualTo(port);
    }

    private static int resolvePort(Container c, IntOrString port) {
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return c.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName()))
                .map(ContainerPort::getContainerPort).findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + " has no port named " + port.getStrVal()));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> spec(GenericKubernetesResource so) {
        return (Map<String, Object>) so.getAdditionalProperties().get("spec");
    }

    /** One rendered kustomization, indexed. */
    static final class Manifests {
        final List<HasMetadata> objects;

        Manifests(List<HasMetadata> objects) {
            this.objects = objects;
        }

        <T extends HasMetadata> List<T> of(Class<T> type) {
            return objects.stream().filter(type::isInstance).map(type::cast).toList();
        }

        <T extends HasMetadata> T only(Class<T> type) {
            List<T> all = of(type);
            assertThat(all).as("objects of kind %s", type.getSimpleName()).hasSize(1);
            return all.get(0);
        }

        <T extends HasMetadata> T named(Class<T> type, String name) {
            return of(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " named " + name));
        }

        List<GenericKubernetesResource> scaledObjects() {
            return of(GenericKubernetesResource.class).stream().filter(o -> o.getKind().equals("ScaledObject"))
                    .toList();
        }

        /** Pod templates of every Deployment and StatefulSet, by "Kind/name". */
        Map<String, PodTemplateSpec> workloads() {
            Map<String, PodTemplateSpec> out = new LinkedHashMap<>();
            of(Deployment.class).forEach(d -> out.put("Deployment/" + d.getMetadata().getName(),
                    d.getSpec().getTemplate()));
            of(StatefulSet.class).forEach(s -> out.put("StatefulSet/" + s.getMetadata().getName(),
                    s.getSpec().getTemplate()));
            return out;
        }

        List<Deployment> meshDeployments(String service) {
            return of(Deployment.class).stream().filter(d -> d.getSpec().getTemplate().getSpec().getContainers()
                    .stream().anyMatch(c -> meshService(c).map(s -> s.module().equals(service)).orElse(false)))
                    .toList();
        }

        Optional<GenericKubernetesResource> scaledObjectFor(Deployment d) {
            return scaledObjects().stream().filter(so -> {
                @SuppressWarnings("unchecked")
                Map<String, Object> target = (Map<String, Object>) spec(so).get("scaleTargetRef");
                return target != null && d.getMetadata().getName().equals(target.get("name"))
                        && "Deployment".equals(target.getOrDefault("kind", "Deployment"));
            }).findFirst();
        }

        /** The metadata of the one kafka trigger of the ScaledObject that scales this Deployment. */
        @SuppressWarnings("unchecked")
        Map<String, Object> kafkaTriggerScaling(Deployment d) {
            GenericKubernetesResource so = scaledObjectFor(d).orElseThrow(() -> new AssertionError(
                    "no KEDA ScaledObject scales Deployment " + d.getMetadata().getName()));
            List<Map<String, Object>> triggers = (List<Map<String, Object>>) spec(so).get("triggers");
            List<Map<String, Object>> kafka = triggers.stream().filter(t -> "kafka".equals(t.get("type"))).toList();
            assertThat(kafka).as("kafka triggers of ScaledObject %s", so.getMetadata().getName()).hasSize(1);
            return (Map<String, Object>) kafka.get(0).get("metadata");
        }

        /** A container's environment: envFrom ConfigMaps and Secrets (which must exist), then env. */
        Map<String, String> environment(Container c) {
            Map<String, String> env = new LinkedHashMap<>();
            for (EnvFromSource from : Optional.ofNullable(c.getEnvFrom()).orElse(List.of())) {
                if (from.getConfigMapRef() != null) {
                    env.putAll(named(ConfigMap.class, from.getConfigMapRef().getName()).getData());
                }
                if (from.getSecretRef() != null) {
                    Secret s = named(Secret.class, from.getSecretRef().getName());
                    Optional.ofNullable(s.getStringData()).ifPresent(d -> d.keySet().forEach(k -> env.put(k, "")));
                    Optional.ofNullable(s.getData()).ifPresent(d -> d.keySet().forEach(k -> env.put(k, "")));
                }
            }
            for (EnvVar v : Optional.ofNullable(c.getEnv()).orElse(List.of())) {
                env.put(v.getName(), v.getValue() != null ? v.getValue() : "");
            }
            return env;
        }

        /** Env names a container takes from Secrets (envFrom or secretKeyRef). */
        List<String> secretKeys(Container c) {
            List<String> keys = new ArrayList<>();
            for (EnvFromSource from : Optional.ofNullable(c.getEnvFrom()).orElse(List.of())) {
                if (from.getSecretRef() != null) {
                    Secret s = named(Secret.class, from.getSecretRef().getName());
                    Optional.ofNullable(s.getStringData()).ifPresent(d -> keys.addAll(d.keySet()));
                    Optional.ofNullable(s.getData()).ifPresent(d -> keys.addAll(d.keySet()));
                }
            }
            for (EnvVar v : Optional.ofNullable(c.getEnv()).orElse(List.of())) {
                if (v.getValueFrom() != null && v.getValueFrom().getSecretKeyRef() != null) {
                    keys.add(v.getName());
                }
            }
            return keys;
        }

        /** host:port names a Service of these manifests (short or namespace-qualified) that exposes that port. */
        void assertServiceAddress(String hostPort, String what) {
            String[] parts = hostPort.split(",")[0].split(":");
            assertThat(parts).as("%s '%s' is host:port", what, hostPort).hasSize(2);
            String[] host = parts[0].split("\\.");
            Service svc = named(Service.class, host[0]);
            if (host.length > 1) {
                assertThat(host[1]).as("namespace in %s '%s'", what, hostPort)
                        .isEqualTo(svc.getMetadata().getNamespace());
            }
            assertThat(svc.getSpec().getPorts()).as("ports of Service %s (%s)", host[0], what)
                    .extracting(ServicePort::getPort).contains(Integer.parseInt(parts[1]));
        }

        /** The claim of the volume a container mounts at a path. */
        String claimMountedAt(PodTemplateSpec pod, Container c, String path, String where) {
            VolumeMount mount = c.getVolumeMounts().stream().filter(v -> v.getMountPath().equals(path)).findFirst()
                    .orElseThrow(() -> new AssertionError(where + " mounts nothing at " + path));
            Volume volume = pod.getSpec().getVolumes().stream().filter(v -> v.getName().equals(mount.getName()))
                    .findFirst().orElseThrow(() -> new AssertionError(where + " has no volume " + mount.getName()));
            if (volume.getPersistentVolumeClaim() == null) {
                fail(where + " mounts " + path + " from volume " + volume.getName() + ", which is no claim");
            }
            return volume.getPersistentVolumeClaim().getClaimName();
        }
    }
}
