package io.github.voicecode;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/** The one way every call crosses the boundary: result code, out-parameters, errors. */
final class Calls {
    private Calls() {
    }

    static final LibVoiceCode LIB = LibVoiceCode.INSTANCE;

    /** A call writing a string through {@code char **} and an error through {@code vc_error **}. */
    @FunctionalInterface
    interface StringCall {
        int call(PointerByReference out, PointerByReference err);
    }

    /** A call writing only an error. */
    @FunctionalInterface
    interface VoidCall {
        int call(PointerByReference err);
    }

    /** Runs the call; returns the string it handed out (freed here) or throws its error. */
    static String string(StringCall call) {
        PointerByReference out = new PointerByReference();
        PointerByReference err = new PointerByReference();
        check(call.call(out, err), err);
        Pointer text = out.getValue();
        try {
            return text.getString(0, "UTF-8");
        } finally {
            LIB.vc_string_free(text);
        }
    }

    /** Runs the call; throws its error. */
    static void run(VoidCall call) {
        PointerByReference err = new PointerByReference();
        check(call.call(err), err);
    }

    /** Runs a constructor call writing an object through {@code **}; returns the object. */
    static Pointer handle(StringCall call) {
        PointerByReference out = new PointerByReference();
        PointerByReference err = new PointerByReference();
        check(call.call(out, err), err);
        return out.getValue();
    }

    static void check(int result, PointerByReference err) {
        if (result != 0) {
            throw VoiceCodeException.take(result, err.getValue());
        }
    }
}
