package io.github.voicecode;

import com.sun.jna.Pointer;
import java.util.List;

/**
 * The verification lifecycle over a {@link Router}, over {@code vc_verifier}: {@link #start}
 * makes a code, keeps only its keyed hash in the store and calls the number; {@link #check}
 * compares what the user typed. Limits are atomic in the store, so many threads, or many
 * processes sharing one SQLite file or Redis, may use it at once. Thread-safe.
 *
 * <pre>{@code
 * try (Router router = new Router("[" + huaweiConfigJson + "]");
 *      Verifier verifier = new Verifier(router, "{\"secret\":\"...\",\"store\":\"sqlite:codes.db\"}")) {
 *     verifier.start("+8613800138000", "{\"key\":\"203.0.113.7\"}");
 *     boolean ok = verifier.check("+8613800138000", typedCode).approved();
 * }
 * }</pre>
 */
public final class Verifier implements AutoCloseable {
    private final NativeHandle handle;

    /**
     * {@code configJson} holds the settings in the core's schema: {@code secret} (at least 16
     * bytes) and optional {@code store} ({@code memory}, {@code sqlite:PATH},
     * {@code redis://host:port/db}), {@code code_length}, {@code ttl_secs}, {@code max_attempts},
     * {@code cooldown_secs}, {@code number_hourly_cap}, {@code number_daily_cap},
     * {@code key_hourly_cap}, {@code key_daily_cap}, {@code quiet_hours}. The verifier shares
     * the router's channels; the router may be closed afterwards.
     *
     * @throws VoiceCodeException {@code invalid_config} naming the key, {@code store_unavailable}
     */
    public Verifier(Router router, String configJson) {
        Pointer r = router.pointer();
        Pointer verifier = Calls.handle((out, err) -> Calls.LIB.vc_verifier_new(r, configJson, out, err));
        handle = new NativeHandle(this, verifier, Calls.LIB::vc_verifier_free, "verifier");
    }

    /**
     * A verifier over one router per channel, e.g. an SMS router and a voice router. Besides the
     * settings {@link #Verifier(Router, String)} takes, {@code workflow} (e.g.
     * {@code ["sms","voice"]}) says the channel of each send of one code: the first by SMS, a
     * resend within its lifetime by voice, with the same code. By default the routers' order.
     *
     * @throws VoiceCodeException {@code invalid_config} naming the key, {@code store_unavailable}
     */
    public Verifier(List<Router> routers, String configJson) {
        Pointer[] pointers = routers.stream().map(Router::pointer).toArray(Pointer[]::new);
        Pointer verifier = Calls.handle((out, err) -> Calls.LIB.vc_verifier_new_routers(
                pointers, pointers.length, configJson, out, err));
        handle = new NativeHandle(this, verifier, Calls.LIB::vc_verifier_free, "verifier");
    }

    /**
     * Sends {@code to} a new code, or the live one again by the workflow's next channel.
     * {@code optionsJson} may be null, or hold {@code code} (a code of your own), {@code key}
     * (the client's IP or account, for the per-key caps), {@code channel} ({@code sms} or
     * {@code voice}) and the send options ({@code play_times}, ...). Returns the verification as
     * JSON: {@code to, channel, expires_at, max_attempts, unverified_starts, status} with
     * {@code status}
     * {@code sent} (and {@code receipt}) or {@code may_have_been_sent} (and {@code error}: the
     * phone may ring; nothing was resent). It never holds the code.
     *
     * @throws VoiceCodeException {@code rate_limited}/{@code quiet_hours} with
     *     {@link VoiceCodeException#retryAfter()}, {@code invalid_input} naming the field, or the
     *     send's error when no call was placed
     */
    public String start(String to, String optionsJson) {
        Pointer h = handle.get();
        return Calls.string((out, err) -> Calls.LIB.vc_verifier_start(h, to, optionsJson, out, err));
    }

    /** {@link #start(String, String)} with no options. */
    public String start(String to) {
        return start(to, null);
    }

    /**
     * Checks the code the user typed.
     *
     * @throws VoiceCodeException {@code invalid_input} for a code no channel could have sent
     */
    public Check check(String to, String code) {
        Pointer h = handle.get();
        return Check.fromJson(Calls.string((out, err) -> Calls.LIB.vc_verifier_check_json(h, to, code, out, err)));
    }

    /** Cancels the number's pending verification: later checks answer {@code CANCELED}. */
    public void cancel(String to) {
        Pointer h = handle.get();
        Calls.run(err -> Calls.LIB.vc_verifier_cancel(h, to, err));
    }

    /**
     * Forgets everything stored about the number (codes, cooldown, caps), even a record that
     * cannot be read, which {@code start}, {@code check} and {@code cancel} refuse with
     * {@code store_unavailable}. An operator's tool.
     */
    public void clear(String to) {
        Pointer h = handle.get();
        Calls.run(err -> Calls.LIB.vc_verifier_clear(h, to, err));
    }

    @Override
    public void close() {
        handle.close();
    }
}
