package io.github.voicecode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.ByteByReference;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The JNA interfaces against include/voicecode.h: JNA takes a method's Java types on trust, so
 * a wrong one corrupts arguments or results silently. Reads the interfaces by reflection only,
 * without loading the library.
 */
class HeaderTest {
    /**
     * The header's functions that the Java layer leaves out on purpose. Anything else the header
     * adds outside the testing facility must be bound, or named here with the reason.
     */
    private static final Set<String> UNBOUND = Set.of(
            // Not wrapped yet: the Java layer has no Deduplicator class (a receiver can keep a
            // concurrent set of vendor, message id and event). Binding them means adding that
            // class and its tests, not just these methods.
            "vc_deduplicator_new",
            "vc_deduplicator_first_time",
            "vc_deduplicator_free",
            // Verifier.check reads vc_verifier_check_json, which also says the channel of an
            // approval.
            "vc_verifier_check",
            "vc_check_name");

    private static Header header;

    @BeforeAll
    static void readHeader() throws IOException {
        header = new Header(Path.of(System.getProperty("voicecode.header", "../include/voicecode.h")));
    }

    @Test
    void libVoiceCodeHasTheHeadersPrototypes() {
        assertEquals(List.of(), mismatches(LibVoiceCode.class, false));
    }

    @Test
    void theSimulatorInterfaceHasTheHeadersPrototypes() {
        assertEquals(List.of(), mismatches(Sim.SimLibrary.class, true));
    }

    @Test
    void everyExportedFunctionIsBoundOrLeftOutOnPurpose() {
        List<String> bound = methods(LibVoiceCode.class).stream().map(Method::getName).toList();
        List<String> problems = new ArrayList<>();
        for (Header.Function f : header.functions.values()) {
            if (!f.simulator() && bound.contains(f.name()) == UNBOUND.contains(f.name())) {
                problems.add(f.name() + " must be either bound in LibVoiceCode or in UNBOUND");
            }
        }
        for (String name : UNBOUND) {
            if (!header.functions.containsKey(name)) {
                problems.add("UNBOUND names " + name + ", which include/voicecode.h does not declare");
            }
        }
        assertEquals(List.of(), problems);
    }

    /** Every way the interface's methods differ from the header, one line each. */
    private static List<String> mismatches(Class<?> library, boolean simulatorAllowed) {
        List<String> problems = new ArrayList<>();
        for (Method method : methods(library)) {
            String name = library.getSimpleName() + "." + method.getName();
            Header.Function f = header.functions.get(method.getName());
            if (f == null) {
                problems.add(name + ": include/voicecode.h declares no such function");
                continue;
            }
            if (f.simulator() && !simulatorAllowed) {
                problems.add(name + ": the testing facility, absent from shipped libraries");
            }
            Class<?>[] parameters = method.getParameterTypes();
            if (parameters.length != f.parameterTypes().size()) {
                problems.add(name + ": " + parameters.length + " parameters, the header's " + f + " has "
                        + f.parameterTypes().size());
                continue;
            }
            check(problems, name + " returns", method.getReturnType(), f.returnType());
            for (int i = 0; i < parameters.length; i++) {
                check(problems, name + " parameter " + (i + 1), parameters[i], f.parameterTypes().get(i));
            }
        }
        return problems;
    }

    private static void check(List<String> problems, String what, Class<?> java, String c) {
        Set<Class<?>> allowed = javaTypes(c);
        if (!allowed.contains(java)) {
            problems.add(what + " " + java.getSimpleName() + " for C " + c + ", which maps to one of "
                    + allowed.stream().map(Class::getSimpleName).sorted().toList());
        }
    }

    /** The interface's native methods (not its static helpers), in a stable order. */
    private static List<Method> methods(Class<?> library) {
        return Arrays.stream(library.getDeclaredMethods())
                .filter(m -> !Modifier.isStatic(m.getModifiers()) && !m.isDefault() && !m.isSynthetic())
                .sorted(Comparator.comparing(Method::getName))
                .toList();
    }

    /** The Java types JNA may pass for a C type, as the header spells it (normalised). */
    private static Set<Class<?>> javaTypes(String c) {
        if (c.endsWith("**")) {
            return Set.of(PointerByReference.class); // an out-parameter for an object or a string
        }
        if (c.replace(" ", "").endsWith("*const*")) {
            return Set.of(Pointer[].class); // an array of borrowed objects (routers)
        }
        if (c.equals("const char*")) {
            return Set.of(String.class); // borrowed by the call or the object, so JNA copies it
        }
        boolean pointer = c.endsWith("*");
        String base = c.replaceFirst("^const ", "").replaceFirst("\\*$", "");
        String resolved = header.typedefs.getOrDefault(base, base);
        if (resolved.startsWith("struct ")) {
            return pointer ? Set.of(Pointer.class) : Set.of(); // an opaque object
        }
        if (!pointer) {
            return switch (resolved) {
                case "void" -> Set.of(void.class);
                // vc_result and vc_outcome too, through their typedefs.
                case "uint32_t" -> Set.of(int.class);
                // size_t: on the 64-bit targets the layer supports.
                case "uint64_t", "size_t" -> Set.of(long.class);
                case "bool" -> Set.of(byte.class); // one byte; JNA's boolean is four
                default -> Set.of();
            };
        }
        return switch (resolved) {
            // A string the library allocated, given back to vc_string_free: a String would be a copy.
            case "char" -> Set.of(Pointer.class);
            case "uint8_t" -> c.startsWith("const ") ? Set.of(byte[].class, Pointer.class)
                    : Set.of(Pointer.class);
            case "uint32_t" -> Set.of(IntByReference.class);
            case "uint64_t", "size_t" -> Set.of(LongByReference.class);
            case "bool" -> Set.of(ByteByReference.class);
            default -> Set.of();
        };
    }
}
