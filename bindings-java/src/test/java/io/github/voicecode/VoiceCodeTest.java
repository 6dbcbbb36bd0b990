package io.github.voicecode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Java layer against the simulator: a send on each vendor and one error per layer. */
class VoiceCodeTest {
    private static final String SEND = "{\"to\":\"+8613800138000\",\"code\":\"4821\"}";
    private static Sim sim;

    @BeforeAll
    static void startSimulator() {
        sim = new Sim();
    }

    @AfterAll
    static void stopSimulator() {
        sim.close();
    }

    @AfterEach
    void clearFaults() {
        sim.clearFaults();
    }

    /** A string field of a flat JSON object (enough for receipts; applications use a JSON library). */
    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }

    @Test
    void versionIsTheLibrarysVersion() {
        assertTrue(VoiceCode.version().matches("\\d+\\.\\d+\\.\\d+"), VoiceCode.version());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ytx", "huawei", "ihuyi", "cloud10658", "aliyun", "tencent"})
    void sendsACodeOnEachVoiceVendor(String vendor) {
        long before = sim.count(vendor, "send_code");
        try (Client client = new Client(sim.config(vendor))) {
            assertEquals(vendor, client.vendor());
            String receipt = client.sendCode(SEND);
            assertEquals(vendor, field(receipt, "vendor"));
            assertFalse(field(receipt, "message_id").isEmpty());
        }
        assertEquals(before + 1, sim.count(vendor, "send_code"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"huawei", "ihuyi", "aliyun", "tencent"})
    void sendsACodeBySmsOnEachSmsProduct(String vendor) {
        long before = sim.count(vendor, "send_sms_code");
        String to = switch (vendor) {
            case "huawei" -> "13800135553";
            case "ihuyi" -> "13800135550";
            case "aliyun" -> "13800135551";
            default -> "13800135552";
        };
        try (Client client = new Client(sim.productConfig(vendor, "sms"))) {
            String receipt = client.sendCode("{\"to\":\"" + to + "\",\"code\":\"8406\"}");
            assertEquals(vendor, field(receipt, "vendor"));
            assertEquals(before + 1, sim.count(vendor, "send_sms_code"));
            assertEquals("8406", sim.lastCode(to));
        }
    }

    @Test
    void readsABalance() {
        try (Client client = new Client(sim.config("ihuyi"))) {
            String balance = client.balance();
            assertEquals("ihuyi", field(balance, "vendor"));
            assertEquals("units", field(balance, "unit"));
        }
    }

    @Test
    void sendsAnSmsCodeThroughOneAccessAfterTheCaptcha() {
        try (Client client = new Client(sim.config("oneaccess"))) {
            String token = field(client.captcha(), "token").replace("\\\"", "\"");
            String captchaToken = client.verifyCaptcha("{\"token\":\"" + token.replace("\"", "\\\"")
                    + "\",\"x\":237,\"y\":5,\"mobile\":\"13800138000\"}");
            long before = sim.count("oneaccess", "send_sms_code");
            client.sendSmsCode("{\"mobile\":\"13800138000\",\"purpose\":\"login\",\"captcha_token\":\""
                    + captchaToken.replace("\"", "\\\"") + "\"}");
            assertEquals(before + 1, sim.count("oneaccess", "send_sms_code"));
        }
    }

    @Test
    void malformedJsonIsInvalidInputFromTheCAbi() {
        try (Client client = new Client(sim.config("ihuyi"))) {
            VoiceCodeException e = assertThrows(VoiceCodeException.class, () -> client.sendCode("{\"to\":"));
            assertEquals("invalid_input", e.kind());
            assertEquals("request_json", e.field());
            assertEquals(1, e.code());
            assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
        }
    }

    @Test
    void aMissingConfigKeyIsInvalidConfigNamingIt() {
        VoiceCodeException e = assertThrows(VoiceCodeException.class,
                () -> new Client("{\"vendor\":\"ihuyi\",\"account\":\"VM00000001\"}"));
        assertEquals("invalid_config", e.kind());
        assertEquals("api_key", e.field());
        assertEquals("not_sent", e.outcome());
    }

    @Test
    void theCoresRulesRefuseABadNumberBeforeSending() {
        long before = sim.count("ihuyi", "send_code");
        try (Client client = new Client(sim.config("ihuyi"))) {
            VoiceCodeException e = assertThrows(VoiceCodeException.class,
                    () -> client.sendCode("{\"to\":\"12345\",\"code\":\"4821\"}"));
            assertEquals("invalid_input", e.kind());
            assertEquals("to", e.field());
            assertEquals("not_sent", e.outcome());
        }
        assertEquals(before, sim.count("ihuyi", "send_code"));
    }

    @Test
    void aVendorCodeIsKeptVerbatim() {
        sim.inject("{\"vendor\":\"huawei\",\"fault\":\"vendor_code\",\"code\":\"1010009\"}");
        try (Client client = new Client(sim.config("huawei"))) {
            VoiceCodeException e = assertThrows(VoiceCodeException.class, () -> client.sendCode(SEND));
            assertEquals("rate_limited", e.kind());
            assertEquals("refused", e.outcome());
            assertEquals("1010009", e.vendorCode());
            assertEquals("huawei", e.vendor());
            assertTrue(e.retryable());
        }
    }

    @Test
    void aHangingVendorIsATimeoutWithAnUnknownOutcome() {
        sim.inject("{\"vendor\":\"ytx\",\"fault\":\"hang\"}");
        try (Client client = new Client(sim.config("ytx", "\"timeout_ms\":300"))) {
            VoiceCodeException e = assertThrows(VoiceCodeException.class, () -> client.sendCode(SEND));
            assertEquals("timeout", e.kind());
            assertEquals("unknown", e.outcome());
            assertFalse(e.retryable());
            assertNull(e.vendorCode());
        }
    }

    @Test
    void theRouterFailsOverAndReportsEveryAttempt() {
        try (Router router = new Router("[" + sim.config("ihuyi") + "," + sim.config("huawei") + "]")) {
            sim.inject("{\"vendor\":\"ihuyi\",\"fault\":\"vendor_code\",\"code\":\"4051\"}");
            assertEquals("huawei", field(router.sendCode(SEND), "vendor"));

            sim.inject("{\"vendor\":\"ihuyi\",\"fault\":\"vendor_code\",\"code\":\"4051\"}");
            sim.inject("{\"vendor\":\"huawei\",\"fault\":\"http_5xx_html\"}");
            VoiceCodeException e = assertThrows(VoiceCodeException.class, () -> router.sendCode(SEND));
            assertEquals("protocol", e.kind());
            assertEquals("unknown", e.outcome());
            assertTrue(e.json().contains("\"attempts\":[{\"vendor\":\"ihuyi\""), e.json());
        }
    }

    @Test
    void parsesAndAuthenticatesPushes() {
        String events = Callbacks.parse("cloud10658", "{\"Content-Type\":\"application/x-www-form-urlencoded\"}",
                "taskid=t-9&mobile=13800138000&status=1".getBytes(StandardCharsets.UTF_8));
        assertEquals("delivered", field(events, "event"));
        assertEquals("t-9", field(events, "message_id"));

        String report = Callbacks.parse("aliyun", "{}",
                "[{\"call_id\":\"116012354148^1\",\"status_code\":\"200003\",\"duration\":\"0\"}]"
                        .getBytes(StandardCharsets.UTF_8));
        assertEquals("failed", field(report, "event"));
        assertEquals("116012354148^1", field(report, "message_id"));

        String sms = Callbacks.parse("tencent", "{}",
                "[{\"user_receive_time\":\"2015-10-17 08:03:04\",\"nationcode\":\"86\",\"mobile\":\"13800138000\",\"report_status\":\"SUCCESS\",\"errmsg\":\"DELIVRD\",\"description\":\"ok\",\"sid\":\"2433:1\"}]"
                        .getBytes(StandardCharsets.UTF_8));
        assertEquals("delivered", field(sms, "event"));
        assertEquals("2433:1", field(sms, "message_id"));
        assertEquals(new Callbacks.Ack("{\"code\":0,\"msg\":\"接收成功\"}", "application/json; charset=utf-8"),
                Callbacks.ack("aliyun"));
        assertEquals("{\"result\":0,\"errmsg\":\"OK\"}", Callbacks.ack("tencent").body());
        assertEquals("", Callbacks.ack("huawei").body());
        assertEquals("success", Callbacks.ack("ihuyi").body());
        assertNull(Callbacks.ack("ytx"));

        // SMS reports as form posts: Huawei's status report, ihuyi's 发送回执.
        String huawei = Callbacks.parse("huawei", "{}",
                "smsMsgId=2ea20735_11840135&status=DELIVRD&updateTime=2018-10-31T08%3A43%3A41Z&extend=signup-7"
                        .getBytes(StandardCharsets.UTF_8));
        assertEquals("delivered", field(huawei, "event"));
        assertEquals("signup-7", field(huawei, "user_data"));
        String ihuyi = Callbacks.parse("ihuyi", "{}",
                "code=0&msg=UNDELIV&mobilephone=13800138000&smsid=1474562554"
                        .getBytes(StandardCharsets.UTF_8));
        assertEquals("failed", field(ihuyi, "event"));
        assertEquals("1474562554", field(ihuyi, "message_id"));

        // A Huawei SMS status report signed by Huawei's own signer (推送AKSK鉴权 on) in 2018.
        String reportHeaders = "{\"Content-Type\":\"application/x-www-form-urlencoded\","
                + "\"X-Sdk-Date\":\"20181031T084345Z\",\"X-Sdk-Content-Sha256\":\"UNSIGNED-PAYLOAD\","
                + "\"Host\":\"example.com\",\"Authorization\":\"SDK-HMAC-SHA256 Access=my_app_key, "
                + "SignedHeaders=content-type;host;x-sdk-content-sha256;x-sdk-date, "
                + "Signature=593793df25e880524695de3235356b246189269bd3b23ea7a3a4122d98976e85\"}";
        byte[] signedReport = ("sequence=1&total=1&updateTime=2018-10-31T08%3A43%3A41Z&source=2"
                + "&smsMsgId=2ea20735-f856-4376-afbf-570bd70a46ee_11840135&status=DELIVRD")
                .getBytes(StandardCharsets.UTF_8);
        String reportUrl = "https://example.com/sms/report?token=s3cret";
        Callbacks.verifyHuaweiReport(reportHeaders, signedReport, reportUrl, "my_app_key", "my_app_secret",
                2_000_000_000);
        assertEquals("auth_failed", assertThrows(VoiceCodeException.class,
                () -> Callbacks.verifyHuaweiReport(reportHeaders, signedReport, reportUrl, "my_app_key",
                        "my_app_secret", 0)).kind());
        assertEquals("vendor", assertThrows(VoiceCodeException.class, () -> Callbacks.ack("nokia")).field());

        String url = "https://example.test/status";
        try (HuaweiPushVerifier verifier = new HuaweiPushVerifier("SimHuaweiAppSecret0000000001", url, 0)) {
            String headers = sim.signHuaweiPush(url);
            verifier.verify(headers);
            VoiceCodeException replay = assertThrows(VoiceCodeException.class, () -> verifier.verify(headers));
            assertEquals("auth_failed", replay.kind());
        }
    }

    @Test
    void aClosedClientRefusesCalls() {
        Client client = new Client(sim.config("ihuyi"));
        client.close();
        client.close();
        assertThrows(IllegalStateException.class, () -> client.sendCode(SEND));
    }

    @Test
    void theReadmeExampleSendsACode(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("ihuyi.json");
        Files.writeString(config, sim.config("ihuyi"));
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            SendExample.main(new String[] {config.toString()});
        } finally {
            System.setOut(stdout);
        }
        String printed = captured.toString(StandardCharsets.UTF_8);
        assertTrue(printed.startsWith("accepted: "), printed);
        assertEquals("ihuyi", field(printed, "vendor"));
    }
}
