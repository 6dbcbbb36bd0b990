package io.github.voicecode;

import com.sun.jna.Pointer;

/**
 * Authenticates Huawei pushes to one URL (digest, time window, nonce replay). Keep one per URL
 * for the life of the receiver; thread-safe.
 */
public final class HuaweiPushVerifier implements AutoCloseable {
    private final NativeHandle handle;

    /** {@code windowSeconds} 0 means the default, 300. */
    public HuaweiPushVerifier(String appSecret, String url, int windowSeconds) {
        Pointer verifier = Calls.handle((out, err) -> Calls.LIB.vc_huawei_verifier_new(appSecret, url,
                windowSeconds, out, err));
        handle = new NativeHandle(this, verifier, Calls.LIB::vc_huawei_verifier_free, "verifier");
    }

    /** Returns when genuine and new; throws {@code auth_failed} otherwise (answer HTTP 401). */
    public void verify(String headersJson) {
        Pointer h = handle.get();
        Calls.run(err -> Calls.LIB.vc_callback_verify_huawei(h, headersJson, err));
    }

    @Override
    public void close() {
        handle.close();
    }
}
