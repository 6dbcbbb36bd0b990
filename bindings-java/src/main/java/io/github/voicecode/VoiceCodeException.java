package io.github.voicecode;

import com.sun.jna.Pointer;

/**
 * A failed voicecode call. {@link #kind()} is the core's error kind ({@code invalid_input},
 * {@code auth_failed}, {@code rate_limited}, {@code timeout}, …); {@link #outcome()} says whether
 * the request may have reached the vendor ({@code not_sent}, {@code refused}, {@code unknown}:
 * never resend blindly after {@code unknown}); {@link #vendorCode()} is the vendor's own code,
 * verbatim. {@link #json()} is the whole error in the core's schema, router attempts included.
 */
public final class VoiceCodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int code;
    private final String kind;
    private final String outcome;
    private final String vendorCode;
    private final String vendorMessage;
    private final String vendor;
    private final String field;
    private final boolean retryable;
    private final long retryAfter;
    private final String json;

    private VoiceCodeException(int code, String message, String kind, String outcome, String vendorCode,
            String vendorMessage, String vendor, String field, boolean retryable, long retryAfter, String json) {
        super(message);
        this.code = code;
        this.kind = kind;
        this.outcome = outcome;
        this.vendorCode = vendorCode;
        this.vendorMessage = vendorMessage;
        this.vendor = vendor;
        this.field = field;
        this.retryable = retryable;
        this.retryAfter = retryAfter;
        this.json = json;
    }

    /** Reads a {@code vc_error *} and frees it. */
    static VoiceCodeException take(int result, Pointer err) {
        LibVoiceCode lib = Calls.LIB;
        String kind = lib.vc_result_name(result);
        if (err == null) {
            return new VoiceCodeException(result, "voicecode call failed: " + kind, kind, "unknown", null, null,
                    null, null, false, 0, null);
        }
        try {
            return new VoiceCodeException(result, lib.vc_error_message(err), kind,
                    lib.vc_outcome_name(lib.vc_error_outcome(err)), lib.vc_error_vendor_code(err),
                    lib.vc_error_vendor_message(err), lib.vc_error_vendor(err), lib.vc_error_field(err),
                    lib.vc_error_retryable(err) != 0, lib.vc_error_retry_after(err), lib.vc_error_json(err));
        } finally {
            lib.vc_error_free(err);
        }
    }

    /** The C API's {@code vc_result} number. */
    public int code() {
        return code;
    }

    /** The core's error kind, snake_case. */
    public String kind() {
        return kind;
    }

    /** {@code not_sent}, {@code refused} or {@code unknown}. */
    public String outcome() {
        return outcome;
    }

    /** The vendor's own result code, or null. */
    public String vendorCode() {
        return vendorCode;
    }

    /** The vendor's own description, or null. */
    public String vendorMessage() {
        return vendorMessage;
    }

    /** The vendor concerned, or null. */
    public String vendor() {
        return vendor;
    }

    /** The request or config field at fault, or null. */
    public String field() {
        return field;
    }

    /** Whether the same request may succeed later unchanged; never after {@code unknown}. */
    public boolean retryable() {
        return retryable;
    }

    /**
     * The whole seconds to wait before starting again, when a {@link Verifier}'s limit or quiet
     * hours refused a start ({@code rate_limited}, {@code quiet_hours}); 0 otherwise.
     */
    public long retryAfter() {
        return retryAfter;
    }

    /** The whole error as JSON in the core's schema (with {@code attempts} for a router). */
    public String json() {
        return json;
    }
}
