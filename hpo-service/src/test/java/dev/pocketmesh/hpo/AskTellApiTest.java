package dev.pocketmesh.hpo;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasItem;

import dev.pocketmesh.hpo.service.AskTellService;
import dev.pocketmesh.hpo.store.AskTellStore;
import dev.pocketmesh.infra.MeshInfraTestResource;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.search.BenchmarkFunctions;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/** The ask/tell API over a real Redis: create, ask, tell, view; optimisation, determinism, restart, Pareto front. */
@QuarkusTest
@QuarkusTestResource(value = MeshInfraTestResource.class, restrictToAnnotatedClass = false)
class AskTellApiTest {
    static final String MIXED_SPACE = """
            [{"type":"float","name":"lr","low":1e-4,"high":1e-1,"log":true},
             {"type":"int","name":"layers","low":1,"high":4},
             {"type":"categorical","name":"act","choices":["relu","tanh"]}]""";

    @Inject
    UnifiedJedis redis;

    static String create(String space, String directions, String optimizer, long seed) {
        return given().contentType(ContentType.JSON)
                .body("{\"space\":" + space + ",\"directions\":" + directions + ",\"optimizer\":\"" + optimizer
                        + "\",\"seed\":" + seed + "}")
                .post("/api/studies").then().statusCode(201).extract().path("id");
    }

    static List<Map<String, Object>> ask(String id, int n) {
        // Parsed with the mesh's codec: REST Assured's JsonPath would read doubles as floats.
        String body = given().queryParam("n", n).post("/api/studies/{id}/ask", id).then().statusCode(200)
                .extract().asString();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> trials = (List<Map<String, Object>>) Json.readMap(body).get("trials");
        return trials;
    }

    static void tell(String id, int number, String valueJson) {
        given().contentType(ContentType.JSON).body("{\"number\":" + number + "," + valueJson + "}")
                .post("/api/studies/{id}/tell", id).then().statusCode(200);
    }

    static JsonPath get(String id) {
        return given().get("/api/studies/{id}", id).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void asksDistinctTrialsInBoundsAndShowsTheBest() {
        String id = create(MIXED_SPACE, "[\"maximize\"]", "tpe", 7);
        assertThat(id).startsWith("study-");
        List<Map<String, Object>> trials = ask(id, 3);
        assertThat(trials).hasSize(3);
        Set<Integer> numbers = new HashSet<>();
        for (Map<String, Object> t : trials) {
            numbers.add((Integer) t.get("number"));
            @SuppressWarnings("unchecked")
            Map<String, Object> p = (Map<String, Object>) t.get("params");
            assertThat(((Number) p.get("lr")).doubleValue()).isBetween(1e-4, 1e-1);
            assertThat(p.get("layers")).isInstanceOf(Integer.class);
            assertThat((Integer) p.get("layers")).isBetween(1, 4);
            assertThat(p.get("act")).isIn("relu", "tanh");
        }
        assertThat(numbers).containsExactlyInAnyOrder(1, 2, 3);
        // Asked trials are stored as pending before they are returned.
        assertThat(get(id).getList("trials.state")).containsOnly("RUNNING");

        tell(id, 1, "\"value\":0.5");
        tell(id, 2, "\"value\":0.9,\"intermediate\":{\"1\":0.4,\"2\":0.7}");
        tell(id, 3, "\"state\":\"FAIL\"");
        JsonPath view = get(id);
        assertThat(view.getList("trials.state")).containsExactly("COMPLETE", "COMPLETE", "FAIL");
        assertThat(view.getInt("best.number")).isEqualTo(2);
        assertThat(view.getDouble("best.value")).isEqualTo(0.9);
        assertThat(view.getDouble("trials[1].intermediate.2")).isEqualTo(0.7);
        assertThat(view.getList("directions")).containsExactly("maximize");
        assertThat(view.getString("optimizer")).isEqualTo("tpe");
        assertThat(view.getLong("seed")).isEqualTo(7L);
        assertThat(view.getList("space.name")).containsExactly("lr", "layers", "act");
        assertThat(view.getList("space.type")).containsExactly("float", "int", "categorical");

        // Later asks continue the numbering.
        assertThat(ask(id, 1).get(0).get("number")).isEqualTo(4);
        // The body form of n.
        assertThat(given().contentType(ContentType.JSON).body("{\"n\":2}").post("/api/studies/{id}/ask", id)
                .then().statusCode(200).extract().jsonPath().getList("trials.number")).containsExactly(5, 6);
    }

    @Test
    void aMinimizeStudysBestIsTheSmallestValue() {
        String id = create(MIXED_SPACE, "[\"minimize\"]", "random", 3);
        ask(id, 3);
        tell(id, 1, "\"value\":2.5");
        tell(id, 2, "\"value\":-1.0");
        tell(id, 3, "\"value\":7");
        assertThat(get(id).getInt("best.number")).isEqualTo(2);
    }

    @Test
    void tpeThroughTheApiOptimisesBranin() {
        BenchmarkFunctions.Function branin = BenchmarkFunctions.branin();
        String id = create(Json.tree(Json.write(branin.space())).get("parameters").toString(), "[\"minimize\"]", "tpe", 11);
        long start = System.nanoTime();
        double bestFirst10 = Double.POSITIVE_INFINITY;
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < 30; i++) {
            Map<String, Object> trial = ask(id, 1).get(0);
            @SuppressWarnings("unchecked")
            double y = branin.valueAt((Map<String, Object>) trial.get("params"));
            tell(id, (Integer) trial.get("number"), "\"value\":" + y);
            best = Math.min(best, y);
            if (i < 10) {
                bestFirst10 = best;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("branin via ask/tell: regret after 10 %.4f, after 30 %.4f (%.1f s)%n",
                branin.regret(bestFirst10), branin.regret(best), seconds);
        assertThat(branin.regret(best)).isLessThan(branin.regret(bestFirst10));
        assertThat(Json.tree(given().get("/api/studies/{id}", id).asString()).at("/best/value").asDouble())
                .isEqualTo(best);
        assertThat(seconds).isLessThan(15);
    }

    @Test
    void sameSeedAndTellsGiveSameAsksAndARestartContinuesIdentically() {
        String a = create(MIXED_SPACE, "[\"maximize\"]", "tpe", 42);
        String b = create(MIXED_SPACE, "[\"maximize\"]", "tpe", 42);
        String other = create(MIXED_SPACE, "[\"maximize\"]", "tpe", 43);
        List<Object> asksA = new ArrayList<>();
        List<Object> asksB = new ArrayList<>();
        // 12 trials (past TPE's 10 random start-up trials), in batches of 3 so pending trials matter too.
        for (int round = 0; round < 4; round++) {
            List<Map<String, Object>> ta = ask(a, 3);
            List<Map<String, Object>> tb = ask(b, 3);
            asksA.addAll(ta);
            asksB.addAll(tb);
            for (Map<String, Object> t : ta) {
                int n = (Integer) t.get("number");
                String v = "\"value\":" + (0.1 * n + (n % 3 == 0 ? 0.5 : 0));
                tell(a, n, v);
                tell(b, n, v);
            }
        }
        assertThat(asksB).isEqualTo(asksA);
        assertThat(ask(other, 3)).isNotEqualTo(asksA.subList(0, 3));

        // "Restart": a new service over a new store, with nothing but Redis in common with the running one.
        AskTellService restarted = new AskTellService(new AskTellStore(redis));
        var afterRestart = restarted.ask(b, 2);
        List<Map<String, Object>> uninterrupted = ask(a, 2);
        for (int i = 0; i < 2; i++) {
            assertThat(afterRestart.get(i).number()).isEqualTo(uninterrupted.get(i).get("number"));
            assertThat(Json.write(afterRestart.get(i).params())).isEqualTo(Json.write(uninterrupted.get(i).get("params")));
        }
        // And the running service sees what the restarted one stored.
        assertThat(get(b).getList("trials.number")).hasSize(14);
    }

    @Test
    void twoObjectivesShowExactlyTheNonDominatedTrials() {
        String id = create(MIXED_SPACE, "[\"maximize\",\"minimize\"]", "tpe", 5);
        ask(id, 7);
        // (accuracy ↑, latency ↓)
        tell(id, 1, "\"values\":[0.90, 10]");  // front
        tell(id, 2, "\"values\":[0.80, 12]");  // dominated by 1
        tell(id, 3, "\"values\":[0.95, 20]");  // front
        tell(id, 4, "\"values\":[0.70, 5]");   // front
        tell(id, 5, "\"values\":[0.90, 11]");  // dominated by 1 (equal accuracy, slower)
        tell(id, 6, "\"values\":[0.99, 50],\"state\":\"PRUNED\""); // not complete: never on the front
        tell(id, 7, "\"values\":[0.90, 10]");  // equal to 1: neither dominates
        JsonPath view = get(id);
        assertThat(view.getList("paretoFront.number")).containsExactly(1, 3, 4, 7);
        assertThat(view.getList("paretoFront.values[0]")).hasSize(2);
        assertThat(view.getMap("best")).isNull();
        // The multi-objective study keeps asking (ParEGO scalarisation over 6 values, TPE still random start-up).
        assertThat(ask(id, 2)).hasSize(2);
    }

    @Test
    void theJobStudyViewStillAnswersForOtherIds() {
        given().get("/api/studies/{id}", "no-such-job-or-study").then().statusCode(404);
    }

    static void assertBad(io.restassured.response.Response r, String field) {
        r.then().statusCode(400).contentType(ContentType.JSON).body("errors.field", hasItem(field));
        assertThat(r.asString()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void refusesBadStudiesNamingTheFieldAndStoresNothing() {
        long before = redis.zcard("pm:asktell:studies");
        assertBad(given().contentType(ContentType.JSON).body("{\"space\":[]}").post("/api/studies"), "space");
        assertBad(given().contentType(ContentType.JSON).body("{}").post("/api/studies"), "space");
        assertBad(given().contentType(ContentType.JSON)
                .body("{\"space\":[{\"type\":\"float\",\"name\":\"x\",\"low\":2,\"high\":1}]}").post("/api/studies"),
                "space[0].low");
        assertBad(given().contentType(ContentType.JSON)
                .body("{\"space\":[{\"type\":\"float\",\"name\":\"x\",\"low\":0,\"high\":1,\"log\":true}]}")
                .post("/api/studies"), "space[0].low");
        assertBad(given().contentType(ContentType.JSON)
                .body("{\"space\":[{\"type\":\"categorical\",\"name\":\"c\",\"choices\":[]}]}").post("/api/studies"),
                "space[0].choices");
        assertBad(given().contentType(ContentType.JSON)
                .body("{\"space\":[{\"type\":\"int\",\"name\":\"k\",\"low\":1,\"high\":3},"
                        + "{\"type\":\"int\",\"name\":\"k\",\"low\":1,\"high\":3}]}").post("/api/studies"),
                "space[1].name");
        io.restassured.response.Response unknown = given().contentType(ContentType.JSON)
                .body("{\"space\":" + MIXED_SPACE + ",\"optimizer\":\"cmaes\"}").post("/api/studies");
        assertBad(unknown, "optimizer");
        assertThat(unknown.asString()).contains("random, grid, sobol, tpe, gp");
        assertBad(given().contentType(ContentType.JSON)
                .body("{\"space\":" + MIXED_SPACE + ",\"directions\":[\"maximize\",\"minimize\",\"maximize\"]}")
                .post("/api/studies"), "directions");
        assertBad(given().contentType(ContentType.JSON)
                .body("{\"space\":" + MIXED_SPACE + ",\"directions\":[\"up\"]}").post("/api/studies"), "directions[0]");
        assertBad(given().contentType(ContentType.JSON).body("{not json").post("/api/studies"), "(body)");
        assertThat(redis.zcard("pm:asktell:studies")).isEqualTo(before);
    }

    @Test
    void refusesBadAsksAndTellsAndLeavesTheStudyUnchanged() {
        String id = create(MIXED_SPACE, "[\"maximize\"]", "tpe", 1);
        ask(id, 2);
        tell(id, 1, "\"value\":0.3");
        String unchanged = given().get("/api/studies/{id}", id).asString();

        List<String[]> bad = List.of(
                new String[] {"{\"number\":99,\"value\":0.5}", "number"},       // unknown trial
                new String[] {"{\"number\":1,\"value\":0.9}", "number"},        // told twice
                new String[] {"{\"number\":2}", "value"},                        // COMPLETE without value
                new String[] {"{\"number\":2,\"value\":\"NaN\"}", "value"},      // NaN (as JSON allows it: a string)
                new String[] {"{\"number\":2,\"values\":[0.1,0.2]}", "values"},  // wrong number of values
                new String[] {"{\"number\":2,\"value\":0.1,\"state\":\"DONE\"}", "state"},
                new String[] {"{\"value\":0.1}", "number"});
        for (String[] b : bad) {
            assertBad(given().contentType(ContentType.JSON).body(b[0]).post("/api/studies/{id}/tell", id), b[1]);
            assertThat(given().get("/api/studies/{id}", id).asString()).as(b[0]).isEqualTo(unchanged);
        }
        assertBad(given().queryParam("n", 0).post("/api/studies/{id}/ask", id), "n");
        assertBad(given().queryParam("n", 101).post("/api/studies/{id}/ask", id), "n");
        assertThat(given().get("/api/studies/{id}", id).asString()).isEqualTo(unchanged);

        given().contentType(ContentType.JSON).body("{\"number\":1,\"value\":0.5}")
                .post("/api/studies/{id}/tell", "study-nope").then().statusCode(404);
        given().post("/api/studies/{id}/ask", "study-nope").then().statusCode(404);
        // The refused tells did not consume trial 2: it can still be told once.
        tell(id, 2, "\"value\":0.7");
        assertThat(get(id).getInt("best.number")).isEqualTo(2);
    }
}
