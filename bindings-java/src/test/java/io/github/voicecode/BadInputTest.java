package io.github.voicecode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The bad-input corpus (tests/corpus/bad_input.json, as the lines tests/corpus/to_lines.py
 * writes) through the Java layer: every case throws a {@link VoiceCodeException} of its kind
 * naming its field, with outcome {@code not_sent}, and the simulator's journal stays empty.
 * Payloads that are not UTF-8 cannot be a Java {@link String} and are counted as such.
 */
class BadInputTest {
    private static final String[] VENDORS = {"ytx", "huawei", "ihuyi", "cloud10658", "oneaccess", "aliyun",
        "tencent"};
    private static final String[] OPERATIONS = {"send_code", "balance", "captcha", "verify_captcha",
        "send_sms_code"};

    /** The corpus lines: written by ffi-c/test.sh, or by to_lines.py here when run alone. */
    private static List<String> lines() throws IOException, InterruptedException {
        String given = System.getProperty("voicecode.corpus.lines", "");
        if (!given.isEmpty()) {
            return Files.readAllLines(Path.of(given), StandardCharsets.UTF_8);
        }
        Process p = new ProcessBuilder("python3", "../tests/corpus/to_lines.py").redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "tests/corpus/to_lines.py");
        return out.lines().toList();
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    @Test
    void everyCaseIsRefusedNamingTheFieldAndNothingIsSent() throws Exception {
        List<String> failures = new ArrayList<>();
        int cases = 0;
        int notExpressible = 0;
        try (Sim sim = new Sim()) {
            String url = sim.baseUrl();
            for (String line : lines()) {
                String[] f = line.split("\t", -1);
                String id = f[0], what = f[1], vendor = f[2], op = f[3], kind = f[4], field = f[5];
                String product = f.length > 7 ? f[7] : "voice";
                cases++;
                String payload = what.equals("skip") ? null : utf8(HexFormat.of().parseHex(f[6]));
                if (payload == null) {
                    notExpressible++;
                    continue;
                }
                String text = payload.replace("@SIM@", url);
                VoiceCodeException got = null;
                try {
                    attempt(sim, what, vendor, product, op, text);
                } catch (VoiceCodeException e) {
                    got = e;
                }
                if (got == null || !kind.equals(got.kind()) || !field.equals(got.field())
                        || !"not_sent".equals(got.outcome())) {
                    failures.add(id + ": expected " + kind + " on " + field + ", got "
                            + (got == null ? "no error" : got.kind() + " on " + got.field() + ": " + got.getMessage()));
                }
            }
            long journal = 0;
            for (String v : VENDORS) {
                for (String o : OPERATIONS) {
                    journal += sim.count(v, o);
                }
            }
            System.out.printf("bad-input corpus, Java: %d cases, %d run, %d not expressible as a Java String "
                    + "over the C ABI, %d failed, %d requests reached the simulator%n", cases,
                    cases - notExpressible, notExpressible, failures.size(), journal);
            assertEquals(List.of(), failures);
            assertEquals(0, journal);
        }
        assertTrue(cases >= 200, "the corpus has " + cases + " cases");
    }

    private static void attempt(Sim sim, String what, String vendor, String product, String op, String text) {
        if (!what.equals("send")) {
            new Client(text).close();
            return;
        }
        try (Client client = new Client(sim.productConfig(vendor, product))) {
            switch (op) {
                case "send_code" -> client.sendCode(text);
                case "verify_captcha" -> client.verifyCaptcha(text);
                case "send_sms_code" -> client.sendSmsCode(text);
                default -> throw new IllegalArgumentException("unknown op " + op);
            }
        }
    }
}
