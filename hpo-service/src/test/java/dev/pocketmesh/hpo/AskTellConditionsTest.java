package dev.pocketmesh.hpo;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.infra.MeshInfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Conditional parameters through the ask/tell API: asks carry only the parameters that apply; bad conditions are 400s. */
@QuarkusTest
@QuarkusTestResource(value = MeshInfraTestResource.class, restrictToAnnotatedClass = false)
class AskTellConditionsTest {
    private static final String SPACE = """
            [{"type":"categorical","name":"mode","choices":["uniform","non-uniform"]},
             {"type":"int","name":"clusters","low":2,"high":32,"when":{"parent":"mode","in":["non-uniform"]}},
             {"type":"float","name":"lr","low":1e-4,"high":1e-1,"log":true}]""";

    @Test
    void asksCarryOnlyTheParametersThatApply() {
        String id = AskTellApiTest.create(SPACE, "[\"maximize\"]", "tpe", 4);
        int withClusters = 0;
        for (int round = 0; round < 4; round++) {
            for (Map<String, Object> trial : AskTellApiTest.ask(id, 4)) {
                @SuppressWarnings("unchecked")
                Map<String, Object> p = (Map<String, Object>) trial.get("params");
                boolean nonUniform = "non-uniform".equals(p.get("mode"));
                assertThat(p.containsKey("clusters")).as(p.toString()).isEqualTo(nonUniform);
                if (nonUniform) {
                    withClusters++;
                    assertThat((Integer) p.get("clusters")).isBetween(2, 32);
                }
                double value = nonUniform ? 1.0 - Math.abs((Integer) p.get("clusters") - 12) / 30.0 : 0.5;
                AskTellApiTest.tell(id, (Integer) trial.get("number"), "\"value\":" + value);
            }
        }
        assertThat(withClusters).isPositive();
        // The space is shown with its condition.
        assertThat(AskTellApiTest.get(id).getString("space[1].when.parent")).isEqualTo("mode");
    }

    @Test
    void aConditionOnAnUnknownOrLaterParameterOrAMissingChoiceIsRefused() {
        for (String[] bad : List.of(
                new String[] {"""
                        [{"type":"int","name":"k","low":1,"high":4,"when":{"parent":"mode","in":["a"]}},
                         {"type":"categorical","name":"mode","choices":["a","b"]}]""", "space[0].when"},
                new String[] {"""
                        [{"type":"categorical","name":"mode","choices":["a","b"]},
                         {"type":"int","name":"k","low":1,"high":4,"when":{"parent":"mode","in":["c"]}}]""",
                        "space[1].when"},
                new String[] {"""
                        [{"type":"categorical","name":"mode","choices":["a","b"]},
                         {"type":"int","name":"k","low":1,"high":4,"when":{"parent":"mode"}}]""", "space[1].when.in"})) {
            AskTellApiTest.assertBad(given().contentType(ContentType.JSON).body("{\"space\":" + bad[0] + "}")
                    .post("/api/studies"), bad[1]);
        }
    }
}
