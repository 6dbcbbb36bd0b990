package io.github.voicecode;

import com.sun.jna.Pointer;
import java.lang.ref.Cleaner;

/**
 * A client for one vendor channel, over {@code vc_client}. The configuration and the requests
 * are JSON text in the core's schema, e.g. {@code {"vendor":"ihuyi","account":"…","api_key":"…"}}
 * and {@code {"to":"+8613800138000","code":"4821"}}; results are JSON text too, so any JSON
 * library can read them.
 *
 * <p>Thread-safe: one client may serve many threads at once (calls block until the vendor
 * answers). {@link #close()} must not race with calls in flight; an unreachable client is freed
 * by a {@link Cleaner}.
 */
public final class Client implements AutoCloseable {
    private final NativeHandle handle;

    /** Validates the configuration; throws {@link VoiceCodeException} ({@code invalid_config}). */
    public Client(String configJson) {
        Pointer client = Calls.handle((out, err) -> Calls.LIB.vc_client_new(configJson, out, err));
        handle = new NativeHandle(this, client, Calls.LIB::vc_client_free, "client");
    }

    /**
     * {@code ytx}, {@code huawei}, {@code ihuyi}, {@code cloud10658}, {@code oneaccess},
     * {@code aliyun} or {@code tencent}.
     */
    public String vendor() {
        return Calls.LIB.vc_client_vendor(handle.get());
    }

    /** Sends a voice code; returns the receipt JSON ({@code vendor}, {@code message_id}, …). */
    public String sendCode(String requestJson) {
        Pointer h = handle.get();
        return Calls.string((out, err) -> Calls.LIB.vc_client_send(h, requestJson, out, err));
    }

    /** The balance JSON: {@code vendor}, {@code amount} (decimal string), {@code unit}. */
    public String balance() {
        Pointer h = handle.get();
        return Calls.string((out, err) -> Calls.LIB.vc_client_balance(h, out, err));
    }

    /** OneAccess: a new slider captcha, as JSON ({@code token} and two Base64 images). */
    public String captcha() {
        Pointer h = handle.get();
        return Calls.string((out, err) -> Calls.LIB.vc_client_captcha(h, out, err));
    }

    /** OneAccess: checks the slider position; returns the captcha token for one SMS. */
    public String verifyCaptcha(String requestJson) {
        Pointer h = handle.get();
        return Calls.string((out, err) -> Calls.LIB.vc_client_verify_captcha(h, requestJson, out, err));
    }

    /** OneAccess: sends an SMS code ({@code mobile}, {@code purpose}, {@code captcha_token}). */
    public void sendSmsCode(String requestJson) {
        Pointer h = handle.get();
        Calls.run(err -> Calls.LIB.vc_client_send_sms_code(h, requestJson, err));
    }

    /** Frees the native client; later calls throw {@link IllegalStateException}. */
    @Override
    public void close() {
        handle.close();
    }
}
