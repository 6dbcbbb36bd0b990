package io.github.voicecode;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.util.Map;

/** The simulator, through the library's {@code vc_sim_*} testing facility. */
final class Sim implements AutoCloseable {
    interface SimLibrary extends Library {
        SimLibrary INSTANCE = Native.load(LibVoiceCode.libraryName(), SimLibrary.class,
                Map.of(Library.OPTION_STRING_ENCODING, "UTF-8"));

        int vc_sim_start(String optionsJson, PointerByReference simOut, PointerByReference errOut);

        void vc_sim_free(Pointer sim);

        String vc_sim_base_url(Pointer sim);

        int vc_sim_config_json(Pointer sim, String vendor, PointerByReference configJsonOut,
                PointerByReference errOut);

        int vc_sim_product_config_json(Pointer sim, String vendor, String product,
                PointerByReference configJsonOut, PointerByReference errOut);

        int vc_sim_inject_json(Pointer sim, String faultJson, PointerByReference errOut);

        int vc_sim_clear_faults(Pointer sim, PointerByReference errOut);

        int vc_sim_count(Pointer sim, String vendor, String operation, LongByReference countOut,
                PointerByReference errOut);

        int vc_sim_last_code(Pointer sim, String to, PointerByReference codeOut, PointerByReference errOut);

        int vc_sim_sign_huawei_push(String url, PointerByReference headersJsonOut, PointerByReference errOut);
    }

    private static final SimLibrary LIB = SimLibrary.INSTANCE;
    private final Pointer sim;

    Sim() {
        sim = Calls.handle((out, err) -> LIB.vc_sim_start(null, out, err));
    }

    String baseUrl() {
        return LIB.vc_sim_base_url(sim);
    }

    String config(String vendor) {
        return Calls.string((out, err) -> LIB.vc_sim_config_json(sim, vendor, out, err));
    }

    /** The config of the vendor's {@code voice} or {@code sms} product. */
    String productConfig(String vendor, String product) {
        return Calls.string((out, err) -> LIB.vc_sim_product_config_json(sim, vendor, product, out, err));
    }

    /** The config with extra keys (a JSON object's members, without braces). */
    String config(String vendor, String extra) {
        String config = config(vendor);
        return config.substring(0, config.length() - 1) + "," + extra + "}";
    }

    void inject(String faultJson) {
        Calls.run(err -> LIB.vc_sim_inject_json(sim, faultJson, err));
    }

    void clearFaults() {
        Calls.run(err -> LIB.vc_sim_clear_faults(sim, err));
    }

    long count(String vendor, String operation) {
        LongByReference count = new LongByReference();
        Calls.run(err -> LIB.vc_sim_count(sim, vendor, operation, count, err));
        return count.getValue();
    }

    /** The code the simulated phone {@code to} heard last. */
    String lastCode(String to) {
        return Calls.string((out, err) -> LIB.vc_sim_last_code(sim, to, out, err));
    }

    String signHuaweiPush(String url) {
        return Calls.string((out, err) -> LIB.vc_sim_sign_huawei_push(url, out, err));
    }

    @Override
    public void close() {
        LIB.vc_sim_free(sim);
    }
}
