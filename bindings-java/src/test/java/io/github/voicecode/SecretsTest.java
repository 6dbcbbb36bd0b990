package io.github.voicecode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secrets test (tests/secrets/scenario.json, as the lines tests/secrets/to_lines.py writes)
 * through the Java layer, in a child JVM started with {@code VOICECODE_LOG=trace} so that the
 * library's log records go to its standard error: every operation of every vendor, each under
 * every fault, with a wrong secret and with a config error, then a router and the verifier. The
 * child prints every result and every exception (message, fields, JSON); no secret may appear in
 * its standard output or standard error.
 */
class SecretsTest {
    @Test
    void noSecretInResultsExceptionsOrLogs(@TempDir Path dir) throws Exception {
        Path secrets = dir.resolve("secrets.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Djna.library.path=" + System.getProperty("jna.library.path", ""),
                SecretsTest.class.getName(), scenarioLines(dir).toString(), secrets.toString())
                .redirectOutput(dir.resolve("stdout").toFile())
                .redirectError(dir.resolve("stderr").toFile());
        child.environment().put("VOICECODE_LOG", "trace");
        Process process = child.start();
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "the scenario finished");
        String out = Files.readString(dir.resolve("stdout"), StandardCharsets.UTF_8);
        String err = Files.readString(dir.resolve("stderr"), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), err);
        List<String> leaked = new ArrayList<>();
        List<String> all = Files.readAllLines(secrets, StandardCharsets.UTF_8);
        assertEquals(8, all.stream().distinct().count(), "six vendors' secrets, the wrong one, the verifier's");
        for (String secret : all) {
            if (out.contains(secret) || err.contains(secret)) {
                leaked.add(secret);
            }
        }
        assertEquals(List.of(), leaked, "secrets in the child's output or logs");
        assertTrue(err.contains("[DEBUG voicecode::client]") && err.contains("[TRACE "), "trace logs are on");
        assertTrue(out.contains("auth_failed"), "the wrong secret was refused");
        assertFalse(out.isEmpty());
    }

    private static Path scenarioLines(Path dir) throws IOException, InterruptedException {
        Path lines = dir.resolve("scenario.lines");
        Process p = new ProcessBuilder("python3", "../tests/secrets/to_lines.py").redirectOutput(lines.toFile())
                .start();
        assertEquals(0, p.waitFor(), "tests/secrets/to_lines.py");
        return lines;
    }

    /** The child: runs the scenario, prints what it sees, writes the secrets to {@code args[1]}. */
    public static void main(String[] args) throws IOException {
        Map<String, List<String>> keys = new LinkedHashMap<>();
        Map<String, List<String>> operations = new LinkedHashMap<>();
        List<String> faults = new ArrayList<>();
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8)) {
            String[] f = line.split(" ", 3);
            switch (f[0]) {
                case "secret_key" -> keys.computeIfAbsent(f[1], k -> new ArrayList<>()).add(f[2]);
                case "operation" -> operations.computeIfAbsent(f[1], k -> new ArrayList<>()).add(f[2]);
                case "fault" -> faults.add(f[1]);
                default -> values.put(f[0], f[1]);
            }
        }
        List<String> secrets = new ArrayList<>(List.of(values.get("wrong_secret"), values.get("verifier_secret")));
        try (Sim sim = new Sim()) {
            for (Map.Entry<String, List<String>> vendor : keys.entrySet()) {
                String config = sim.config(vendor.getKey(), "\"timeout_ms\":" + values.get("timeout_ms"));
                List<String> ops = operations.get(vendor.getKey());
                try (Client client = new Client(config)) {
                    operate(client, ops);
                    for (String fault : faults) {
                        sim.inject("{\"vendor\":\"" + vendor.getKey() + "\",\"fault\":\"" + fault + "\",\"times\":"
                                + ops.size() + "}");
                        operate(client, ops);
                        sim.clearFaults();
                    }
                }
                for (String key : vendor.getValue()) {
                    if (key.equals("-")) {
                        continue;
                    }
                    Matcher m = Pattern.compile("\"" + key + "\":\"([^\"]*)\"").matcher(config);
                    if (!m.find()) {
                        throw new IllegalStateException("no " + key + " in the " + vendor.getKey() + " config");
                    }
                    secrets.add(m.group(1));
                    String wrong = m.replaceFirst("\"" + key + "\":\"" + values.get("wrong_secret") + "\"");
                    show(() -> {
                        try (Client c = new Client(wrong)) {
                            operate(c, ops);
                            return "operated";
                        }
                    });
                    show(() -> new Client(config.replaceFirst("\\{", "{\"bogus\":1,")).vendor());
                    show(() -> new Client(m.replaceFirst("\"" + key + "\":12345")).vendor());
                }
            }
            try (Router router = new Router("[" + sim.config("huawei") + "," + sim.config("ytx") + "]")) {
                sim.inject("{\"vendor\":\"huawei\",\"fault\":\"http_500\"}");
                show(() -> router.sendCode("{\"to\":\"13800138000\",\"code\":\"4821\"}"));
                String settings = "{\"secret\":\"" + values.get("verifier_secret") + "\"";
                try (Verifier verifier = new Verifier(router, settings + "}")) {
                    show(() -> verifier.start("+8613800138000"));
                    show(() -> verifier.start("+8613800138000"));
                    show(() -> verifier.check("+8613800138000", "000000").toString());
                }
                show(() -> new Verifier(router, settings + ",\"ttl\":1}").toString());
            }
        }
        Files.write(Path.of(args[1]), secrets, StandardCharsets.UTF_8);
    }

    private static void operate(Client client, List<String> ops) {
        for (String op : ops) {
            show(() -> switch (op) {
                case "send_code" -> client.sendCode("{\"to\":\"13800138000\",\"code\":\"4821\"}");
                case "balance" -> client.balance();
                case "captcha" -> client.captcha();
                case "verify_captcha" -> client.verifyCaptcha(
                        "{\"token\":\"t\",\"x\":237,\"y\":5,\"mobile\":\"13800138000\"}");
                case "send_sms_code" -> {
                    client.sendSmsCode("{\"mobile\":\"13800138000\",\"purpose\":\"login\",\"captcha_token\":\"t\"}");
                    yield "sent";
                }
                default -> throw new IllegalArgumentException("unknown operation " + op);
            });
        }
    }

    private static void show(Supplier<String> call) {
        try {
            System.out.println("ok " + call.get());
        } catch (VoiceCodeException e) {
            System.out.println(e + " kind=" + e.kind() + " outcome=" + e.outcome() + " field=" + e.field()
                    + " vendor=" + e.vendor() + " vendorCode=" + e.vendorCode() + " vendorMessage="
                    + e.vendorMessage() + " json=" + e.json());
        }
    }
}
