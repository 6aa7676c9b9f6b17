package dev.pocketmesh.orchestrator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

/** With pocketmesh.auth.token set, the REST API wants the bearer token; probes and the scraper do not. */
@QuarkusTest
@TestProfile(ClusterModeProfile.class)
class BearerTokenTest {
    static final String TOKEN = ClusterModeProfile.TOKEN;

    @Test
    void apiWithoutTheTokenIs401() {
        given().when().get("/api/jobs").then().statusCode(401)
                .header("WWW-Authenticate", containsString("Bearer"));
        given().contentType(ContentType.JSON).body(Specs.SIMULATED).when().post("/api/jobs").then().statusCode(401);
    }

    @Test
    void apiWithAWrongTokenIs401() {
        given().header("Authorization", "Bearer wrong").when().get("/api/jobs").then().statusCode(401);
        given().header("Authorization", TOKEN).when().get("/api/jobs").then().statusCode(401);
    }

    @Test
    void apiWithTheTokenIs200() {
        given().header("Authorization", "Bearer " + TOKEN).when().get("/api/jobs").then().statusCode(200);
    }

    @Test
    void healthAndMetricsStayOpen() {
        given().when().get("/q/health/live").then().statusCode(200);
        given().when().get("/q/metrics").then().statusCode(200).body(containsString("pocketmesh_jobs"));
    }
}
