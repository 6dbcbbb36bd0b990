package io.github.voicecode;

import com.sun.jna.Pointer;
import java.lang.ref.Cleaner;

/**
 * Failover across channels in order of preference, over {@code vc_router}: it moves on only
 * when the current channel certainly placed no call. Thread-safe like {@link Client}.
 */
public final class Router implements AutoCloseable {
    private final Pointer handle;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean closed;

    /** {@code configsJson} is a JSON array of channel configurations. */
    public Router(String configsJson) {
        Pointer h = Calls.handle((out, err) -> Calls.LIB.vc_router_new(configsJson, out, err));
        this.handle = h;
        this.cleanable = Client.CLEANER.register(this, () -> Calls.LIB.vc_router_free(h));
    }

    /** Sends a voice code; on failure {@link VoiceCodeException#json()} lists every attempt. */
    public String sendCode(String requestJson) {
        Pointer h = Calls.open(closed ? null : handle, "router");
        return Calls.string((out, err) -> Calls.LIB.vc_router_send(h, requestJson, out, err));
    }

    @Override
    public void close() {
        closed = true;
        cleanable.clean();
    }
}
