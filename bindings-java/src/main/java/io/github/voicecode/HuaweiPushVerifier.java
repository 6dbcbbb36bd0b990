package io.github.voicecode;

import com.sun.jna.Pointer;
import java.lang.ref.Cleaner;

/**
 * Authenticates Huawei pushes to one URL (digest, time window, nonce replay). Keep one per URL
 * for the life of the receiver; thread-safe.
 */
public final class HuaweiPushVerifier implements AutoCloseable {
    private final Pointer handle;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean closed;

    /** {@code windowSeconds} 0 means the default, 300. */
    public HuaweiPushVerifier(String appSecret, String url, int windowSeconds) {
        Pointer h = Calls.handle((out, err) -> Calls.LIB.vc_huawei_verifier_new(appSecret, url, windowSeconds,
                out, err));
        this.handle = h;
        this.cleanable = Client.CLEANER.register(this, () -> Calls.LIB.vc_huawei_verifier_free(h));
    }

    /** Returns when genuine and new; throws {@code auth_failed} otherwise (answer HTTP 401). */
    public void verify(String headersJson) {
        Pointer h = Calls.open(closed ? null : handle, "verifier");
        Calls.run(err -> Calls.LIB.vc_callback_verify_huawei(h, headersJson, err));
    }

    @Override
    public void close() {
        closed = true;
        cleanable.clean();
    }
}
