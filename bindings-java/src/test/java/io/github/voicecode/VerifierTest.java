package io.github.voicecode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java verifier against the simulator, on the memory store and on an SQLite file. */
class VerifierTest {
    private static final String SECRET = "\"secret\":\"java-test-verifier-secret-0123\"";
    private static Sim sim;
    private static Router router;

    @BeforeAll
    static void start() {
        sim = new Sim();
        router = new Router("[" + sim.config("huawei") + "]");
    }

    @AfterAll
    static void stop() {
        router.close();
        sim.close();
    }

    @Test
    void theLifecycleApprovesTheHeardCodeOnce() {
        String to = "+8613800138020";
        try (Verifier verifier = new Verifier(router, "{" + SECRET + "}")) {
            long calls = sim.count("huawei", "send_code");
            String verification = verifier.start(to);
            assertTrue(verification.contains("\"status\":\"sent\""), verification);
            assertEquals(calls + 1, sim.count("huawei", "send_code"));
            String code = sim.lastCode(to);
            assertFalse(verification.contains(code), "the verification never holds the code");

            Check wrong = verifier.check(to, code.equals("000000") ? "111111" : "000000");
            assertEquals(new Check(Check.Status.WRONG_CODE, 4, null), wrong);
            assertEquals(new Check(Check.Status.APPROVED, 0, "voice"), verifier.check(to, code));
            assertEquals(Check.Status.NOT_FOUND, verifier.check(to, code).status());

            VoiceCodeException limited = assertThrows(VoiceCodeException.class, () -> verifier.start(to));
            assertEquals("rate_limited", limited.kind());
            assertTrue(limited.retryAfter() > 0 && limited.retryAfter() <= 60, limited.getMessage());
            assertEquals(calls + 1, sim.count("huawei", "send_code"), "a refused start places no call");

            verifier.start("+8613800138021", "{\"code\":\"975310\"}");
            verifier.cancel("+8613800138021");
            assertEquals(Check.Status.CANCELED, verifier.check("+8613800138021", "975310").status());
            verifier.clear("+8613800138021");
            assertEquals(Check.Status.NOT_FOUND, verifier.check("+8613800138021", "975310").status());
            verifier.start("+8613800138021", "{\"code\":\"135792\"}");
            assertTrue(verifier.check("+8613800138021", "135792").approved(), "a cleared number has no cooldown");
        }
    }

    @Test
    void aVerificationMovesFromSmsToVoiceWithTheOneCode() {
        String to = "+8613800138024";
        try (Router sms = new Router("[" + sim.productConfig("tencent", "sms") + "]");
                Verifier verifier = new Verifier(List.of(sms, router), "{" + SECRET + ",\"cooldown_secs\":0}")) {
            assertTrue(verifier.start(to).contains("\"channel\":\"sms\""));
            String code = sim.lastCode(to);
            assertTrue(verifier.start(to).contains("\"channel\":\"voice\""));
            assertEquals(code, sim.lastCode(to), "the resend sends the same code");
            assertEquals(new Check(Check.Status.APPROVED, 0, "voice"), verifier.check(to, code));
            String voice = verifier.start("+8613800138025", "{\"channel\":\"voice\"}");
            assertTrue(voice.contains("\"channel\":\"voice\""), voice);
            VoiceCodeException e = assertThrows(VoiceCodeException.class,
                    () -> new Verifier(List.of(sms), "{" + SECRET + ",\"workflow\":[\"voice\"]}"));
            assertEquals("invalid_config", e.kind());
            assertEquals("workflow", e.field());
        }
    }

    @Test
    void parallelChecksOfTheRightCodeApproveExactlyOnce(@TempDir Path dir) throws Exception {
        String to = "+8613800138022";
        String store = "sqlite:" + dir.resolve("codes.db");
        try (Verifier verifier = new Verifier(router, "{" + SECRET + ",\"store\":\"" + store + "\"}")) {
            verifier.start(to);
            String code = sim.lastCode(to);
            ExecutorService pool = Executors.newFixedThreadPool(32);
            try {
                List<Future<Check>> checks = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    checks.add(pool.submit(() -> verifier.check(to, code)));
                }
                int approved = 0;
                for (Future<Check> check : checks) {
                    approved += check.get().approved() ? 1 : 0;
                }
                assertEquals(1, approved);
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void badInputIsATypedErrorNamingTheFieldAndPlacesNoCall() {
        long calls = sim.count("huawei", "send_code");
        VoiceCodeException e = assertThrows(VoiceCodeException.class,
                () -> new Verifier(router, "{\"secret\":\"short\"}"));
        assertEquals("invalid_config", e.kind());
        assertEquals("secret", e.field());
        e = assertThrows(VoiceCodeException.class,
                () -> new Verifier(router, "{" + SECRET + ",\"store\":\"postgres://db\"}"));
        assertEquals("store", e.field());
        try (Verifier verifier = new Verifier(router, "{" + SECRET + "}")) {
            e = assertThrows(VoiceCodeException.class, () -> verifier.check("+8613800138023", "12ab34"));
            assertEquals("invalid_input", e.kind());
            assertEquals("code", e.field());
            e = assertThrows(VoiceCodeException.class, () -> verifier.start("+8613800138023", "{\"keys\":\"x\"}"));
            assertEquals("keys", e.field());
            e = assertThrows(VoiceCodeException.class, () -> verifier.start(null));
            assertEquals("to", e.field());
        }
        assertEquals(calls, sim.count("huawei", "send_code"));
        Verifier closed = new Verifier(router, "{" + SECRET + "}");
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.check("+8613800138023", "123456"));
    }
}
