package io.github.voicecode;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import java.util.Map;

/**
 * The C ABI of include/voicecode.h, one method per function. Package-private: the public
 * classes wrap it. Borrowed {@code const char *} results map to {@code String} (copied);
 * strings the library hands out through {@code char **} stay {@code Pointer}s so that they can
 * be freed with {@code vc_string_free}. C {@code bool} is one byte, hence {@code byte}.
 */
interface LibVoiceCode extends Library {
    /** {@code VOICECODE_LIB} (a path), else {@code libvoicecode} on {@code jna.library.path}. */
    LibVoiceCode INSTANCE = Native.load(libraryName(), LibVoiceCode.class,
            Map.of(Library.OPTION_STRING_ENCODING, "UTF-8"));

    static String libraryName() {
        String path = System.getenv("VOICECODE_LIB");
        return path != null && !path.isEmpty() ? path : "voicecode";
    }

    String vc_version();

    void vc_string_free(Pointer s);

    int vc_error_kind(Pointer err);

    int vc_error_outcome(Pointer err);

    byte vc_error_retryable(Pointer err);

    String vc_error_message(Pointer err);

    String vc_error_field(Pointer err);

    String vc_error_vendor(Pointer err);

    String vc_error_vendor_code(Pointer err);

    String vc_error_vendor_message(Pointer err);

    String vc_error_json(Pointer err);

    long vc_error_retry_after(Pointer err);

    void vc_error_free(Pointer err);

    String vc_result_name(int result);

    String vc_outcome_name(int outcome);

    int vc_client_new(String configJson, PointerByReference clientOut, PointerByReference errOut);

    void vc_client_free(Pointer client);

    String vc_client_vendor(Pointer client);

    int vc_client_send(Pointer client, String requestJson, PointerByReference receiptJsonOut,
            PointerByReference errOut);

    int vc_client_balance(Pointer client, PointerByReference balanceJsonOut, PointerByReference errOut);

    int vc_client_captcha(Pointer client, PointerByReference captchaJsonOut, PointerByReference errOut);

    int vc_client_verify_captcha(Pointer client, String requestJson, PointerByReference captchaTokenOut,
            PointerByReference errOut);

    int vc_client_send_sms_code(Pointer client, String requestJson, PointerByReference errOut);

    int vc_router_new(String configsJson, PointerByReference routerOut, PointerByReference errOut);

    int vc_router_send(Pointer router, String requestJson, PointerByReference receiptJsonOut,
            PointerByReference errOut);

    void vc_router_free(Pointer router);

    int vc_callback_parse(String vendor, String headersJson, byte[] body, long bodyLen,
            PointerByReference eventsJsonOut, PointerByReference errOut);

    int vc_push_ack(String vendor, PointerByReference bodyOut, PointerByReference contentTypeOut,
            PointerByReference errOut);

    int vc_huawei_verifier_new(String appSecret, String url, int windowSeconds,
            PointerByReference verifierOut, PointerByReference errOut);

    int vc_callback_verify_huawei(Pointer verifier, String headersJson, PointerByReference errOut);

    int vc_callback_verify_huawei_report(String url, String appKey, String appSecret, String headersJson,
            byte[] body, long bodyLen, int windowSeconds, PointerByReference errOut);

    void vc_huawei_verifier_free(Pointer verifier);

    int vc_verifier_new(Pointer router, String configJson, PointerByReference verifierOut,
            PointerByReference errOut);

    int vc_verifier_new_routers(Pointer[] routers, long routersLen, String configJson,
            PointerByReference verifierOut, PointerByReference errOut);

    int vc_verifier_start(Pointer verifier, String to, String optionsJson,
            PointerByReference verificationJsonOut, PointerByReference errOut);

    int vc_verifier_check_json(Pointer verifier, String to, String code, PointerByReference checkJsonOut,
            PointerByReference errOut);

    int vc_verifier_cancel(Pointer verifier, String to, PointerByReference errOut);

    int vc_verifier_clear(Pointer verifier, String to, PointerByReference errOut);

    void vc_verifier_free(Pointer verifier);

}
