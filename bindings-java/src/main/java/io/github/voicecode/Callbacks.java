package io.github.voicecode;

/** Call-status pushes from the vendors. */
public final class Callbacks {
    private Callbacks() {
    }

    /**
     * Parses a push ({@code huawei} status or fee push, {@code cloud10658} receipt, {@code aliyun}
     * VoiceReport, {@code tencent} callback) into a JSON array of events. {@code headersJson} is a
     * JSON object of the request's headers (or null).
     */
    public static String parse(String vendor, String headersJson, byte[] body) {
        byte[] bytes = body == null ? new byte[0] : body;
        return Calls.string((out, err) -> Calls.LIB.vc_callback_parse(vendor, headersJson,
                bytes.length == 0 ? null : bytes, bytes.length, out, err));
    }
}
