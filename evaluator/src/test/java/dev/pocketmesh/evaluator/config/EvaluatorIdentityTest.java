package dev.pocketmesh.evaluator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** An evaluator measures with its profile's settings unless configured otherwise, and refuses a profile it cannot serve. */
public class EvaluatorIdentityTest {

    public static EvaluatorConfig config(String profile, Integer threads) {
        return new EvaluatorConfig() {
            public String profile() {
                return profile;
            }

            public Optional<String> id() {
                return Optional.of("e1");
            }

            public Duration publishTimeout() {
                return Duration.ofSeconds(1);
            }

            public Duration heartbeatInterval() {
                return Duration.ofSeconds(2);
            }

            public Latency latency() {
                return new Latency() {
                    public Optional<Runtime> runtime() {
                        return Optional.empty();
                    }

                    public Optional<Integer> threads() {
                        return Optional.ofNullable(threads);
                    }

                    public Optional<Integer> batch() {
                        return Optional.empty();
                    }

                    public int warmup() {
                        return 1;
                    }

                    public int runs() {
                        return 1;
                    }

                    public int gridMaxPieces() {
                        return 1000;
                    }
                };
            }
        };
    }

    @Test
    void theProfileDecidesThreadsAndBatchUnlessOverridden() {
        boolean x86 = System.getProperty("os.arch").matches("amd64|x86_64");
        String profile = x86 ? "cpu-x86-4t" : "arm64";
        EvaluatorIdentity identity = new EvaluatorIdentity(config(profile, null));
        assertThat(identity.threads()).isEqualTo(4);
        assertThat(identity.runtime()).isEqualTo(EvaluatorConfig.Runtime.onnxruntime);
        assertThat(identity.settings()).containsEntry("profile", profile).containsEntry("threads", 4);
        assertThat(new EvaluatorIdentity(config(profile, 2)).threads()).isEqualTo(2);
    }

    @Test
    void anUnknownProfileOrAnotherArchitectureIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> new EvaluatorIdentity(config("tpu", null)))
                .hasMessageContaining("pocketmesh.evaluator.profile").hasMessageContaining("unknown device profile 'tpu'");
        boolean x86 = System.getProperty("os.arch").matches("amd64|x86_64");
        assertThatThrownBy(() -> new EvaluatorIdentity(config(x86 ? "arm64" : "cpu-x86-1t", null)))
                .hasMessageContaining("pocketmesh.evaluator.profile").hasMessageContaining("this machine is");
        // The Maven Central onnxruntime jar has no CUDA provider: a cuda evaluator says so instead of timing the CPU.
        assertThatThrownBy(() -> new EvaluatorIdentity(config("cuda", null))).hasMessageContaining("CUDA");
    }
}
