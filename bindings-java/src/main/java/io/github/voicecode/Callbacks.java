package io.github.voicecode;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/** Call-status pushes from the vendors. */
public final class Callbacks {
    private Callbacks() {
    }

    /**
     * Parses a push ({@code huawei} status or fee push or SMS status report, {@code ihuyi} SMS
     * report, {@code cloud10658} receipt, {@code aliyun} VoiceReport or SmsReport, {@code tencent}
     * callback) into a JSON array of events. {@code headersJson} is a
     * JSON object of the request's headers (or null).
     */
    public static String parse(String vendor, String headersJson, byte[] body) {
        byte[] bytes = body == null ? new byte[0] : body;
        return Calls.string((out, err) -> Calls.LIB.vc_callback_parse(vendor, headersJson,
                bytes.length == 0 ? null : bytes, bytes.length, out, err));
    }

    /**
     * Checks a Huawei SMS status report pushed to {@code url} (the {@code status_url} as
     * configured) with 推送AKSK鉴权 on: its SDK-HMAC-SHA256 signature under the SMS application's
     * key and secret, and {@code X-Sdk-Date} within {@code windowSeconds} of now (0: the default
     * 900). Throws {@link VoiceCodeException} ({@code auth_failed}) when it is unsigned, forged
     * or stale; answer HTTP 401. Reports carry no nonce: de-duplicate their events.
     */
    public static void verifyHuaweiReport(String headersJson, byte[] body, String url, String appKey,
            String appSecret, int windowSeconds) {
        byte[] bytes = body == null ? new byte[0] : body;
        Calls.run(err -> Calls.LIB.vc_callback_verify_huawei_report(url, appKey, appSecret, headersJson,
                bytes.length == 0 ? null : bytes, bytes.length, windowSeconds, err));
    }

    /** What a receiver answers to a push it took: HTTP 200 with this body and Content-Type. */
    public record Ack(String body, String contentType) {
    }

    /**
     * How to acknowledge {@code vendor}'s pushes (Alibaba Cloud and Tencent read the body and push
     * again otherwise; Huawei and cloud10658 get an empty one), or null for a vendor that sends
     * none.
     */
    public static Ack ack(String vendor) {
        PointerByReference body = new PointerByReference();
        PointerByReference contentType = new PointerByReference();
        PointerByReference err = new PointerByReference();
        Calls.check(Calls.LIB.vc_push_ack(vendor, body, contentType, err), err);
        if (body.getValue() == null) {
            return null;
        }
        try {
            return new Ack(text(body.getValue()), text(contentType.getValue()));
        } finally {
            Calls.LIB.vc_string_free(body.getValue());
            Calls.LIB.vc_string_free(contentType.getValue());
        }
    }

    private static String text(Pointer pointer) {
        return pointer.getString(0, "UTF-8");
    }
}
