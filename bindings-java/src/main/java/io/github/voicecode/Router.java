package io.github.voicecode;

import com.sun.jna.Pointer;

/**
 * Failover across channels in order of preference, over {@code vc_router}: it moves on only
 * when the current channel certainly placed no call. Thread-safe like {@link Client}.
 */
public final class Router implements AutoCloseable {
    private final NativeHandle handle;

    /** {@code configsJson} is a JSON array of channel configurations. */
    public Router(String configsJson) {
        Pointer router = Calls.handle((out, err) -> Calls.LIB.vc_router_new(configsJson, out, err));
        handle = new NativeHandle(this, router, Calls.LIB::vc_router_free, "router");
    }

    /** Sends a voice code; on failure {@link VoiceCodeException#json()} lists every attempt. */
    public String sendCode(String requestJson) {
        Pointer h = handle.get();
        return Calls.string((out, err) -> Calls.LIB.vc_router_send(h, requestJson, out, err));
    }

    /** The {@code vc_router *}, for one call (a {@link Verifier} being built over it). */
    Pointer pointer() {
        return handle.get();
    }

    @Override
    public void close() {
        handle.close();
    }
}
