package io.github.voicecode;

/** The library as a whole. */
public final class VoiceCode {
    private VoiceCode() {
    }

    /** The version of the loaded libvoicecode, e.g. {@code "0.1.0"}. */
    public static String version() {
        return Calls.LIB.vc_version();
    }
}
