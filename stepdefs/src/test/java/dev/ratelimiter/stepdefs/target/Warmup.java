package dev.ratelimiter.stepdefs.target;

import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.wire.WireCodec;
import dev.ratelimiter.stepdefs.api.Answer;
import dev.ratelimiter.stepdefs.api.LimiterHttp;
import dev.ratelimiter.stepdefs.api.Routes;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sends every kind of request a few dozen times before the first scenario, on a limit of its
 * own, so that the scenarios' timing expectations ("returned within 200 milliseconds") measure a
 * running server and not the JIT compiling its first request (and the harness's HTTP client
 * loading its classes). Stateless.
 */
final class Warmup {
    private static final int ROUNDS = 40;

    private Warmup() {}

    static void run(LimiterHttp http) {
        WireCodec codec = new WireCodec();
        String run = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
        String key = "bdd-warmup-" + run + ":tokens";
        expect(http.put(Routes.LIMITS, codec.write(LimitDefinition.rolling(key, 1_000_000, 1))), 200);
        for (int round = 0; round < ROUNDS; round++) {
            String lease = "bdd-warmup-" + run + "-" + round;
            ReserveRequest reserve = new ReserveRequest(lease, "", List.of(new Requirement(key, 2)));
            expect(http.post(Routes.RESERVE, codec.write(reserve)), 200);
            expect(
                    http.post(
                            Routes.COMPLETE, codec.write(new CompleteRequest(lease, "", List.of(new Actual(key, 1))))),
                    200);
            ReserveRequest batched = new ReserveRequest(lease + "-b", "", List.of(new Requirement(key, 1)));
            expect(http.post(Routes.RESERVE_BATCH, codec.writeReserveBatch(List.of(batched, batched))), 200);
            expect(
                    http.post(
                            Routes.COMPLETE_BATCH,
                            codec.writeCompleteBatch(List.of(new CompleteRequest(lease + "-b", "", List.of())))),
                    200);
            expect(http.get(Routes.limit(key)), 200);
            expect(http.post(Routes.RESERVE, "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8)), 400);
        }
    }

    private static void expect(Answer answer, int status) {
        if (answer.status() != status) {
            throw new AssertionError("expected " + status + " during the warm-up, got " + answer.describe());
        }
    }
}
