package io.github.voicecode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The declarations of include/voicecode.h, read the way a C11 compiler sees them, for the test
 * that holds the JNA interfaces to the header. The header is cbindgen's output, in a regular
 * shape, so a small reader does: it knows each preprocessor condition cbindgen writes and refuses
 * any other, so that a change of shape fails the test instead of being misread.
 */
final class Header {
    /** A function: return and parameter types (names dropped); whether it is the testing facility's. */
    record Function(String name, String returnType, List<String> parameterTypes, boolean simulator) {
        @Override
        public String toString() {
            return returnType + " " + name + "(" + String.join(", ", parameterTypes) + ")";
        }
    }

    private static final String SIMULATOR = "#if defined(VC_SIMULATOR)";

    /**
     * What each condition is in C11 (not C23, not C++). The testing facility's condition counts as
     * true, so that its functions are read too, marked as such.
     */
    private static final Map<String, Boolean> CONDITIONS = Map.of(
            "#ifndef VOICECODE_H", true,
            "#ifdef __cplusplus", false,
            "#ifndef __cplusplus", true,
            "#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L", false,
            "#if __STDC_VERSION__ >= 202311L", false,
            SIMULATOR, true);

    private static final Pattern FUNCTION = Pattern.compile("(.*?[ *])(vc_\\w+)\\((.*)\\);");
    private static final Pattern TYPEDEF = Pattern.compile("typedef (.+?) ?(\\w+);");
    private static final Pattern PARAMETER = Pattern.compile("(.*?[ *])\\w+");

    /** The functions by name, in the header's order. */
    final Map<String, Function> functions = new LinkedHashMap<>();
    /** Each typedef's name and the type it names ({@code vc_result} → {@code uint32_t}). */
    final Map<String, String> typedefs = new LinkedHashMap<>();

    Header(Path path) throws IOException {
        String text = Files.readString(path);
        // Comments go, but their line breaks stay: directives are recognised by line.
        text = Pattern.compile("/\\*.*?\\*/", Pattern.DOTALL).matcher(text)
                .replaceAll(m -> "\n".repeat((int) m.group().chars().filter(c -> c == '\n').count()));
        text = text.replaceAll("//[^\n]*", "");

        // The open conditions, innermost first: {true in C11, the testing facility}.
        Deque<boolean[]> open = new ArrayDeque<>();
        StringBuilder statement = new StringBuilder();
        int depth = 0;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String where = path + ":" + (i + 1);
            String directive = lines[i].trim();
            if (directive.matches("#\\s*(if|ifdef|ifndef)\\b.*")) {
                Boolean value = CONDITIONS.get(directive);
                if (value == null) {
                    throw new IllegalStateException(where + ": a condition this reader does not know: "
                            + directive);
                }
                open.push(new boolean[] {value, directive.equals(SIMULATOR)});
                continue;
            }
            if (directive.equals("#else")) {
                open.peek()[0] = !open.peek()[0];
                continue;
            }
            if (directive.equals("#endif")) {
                open.pop();
                continue;
            }
            if (directive.startsWith("#") || open.stream().anyMatch(c -> !c[0])) {
                continue; // #define and #include declare no function or type
            }
            boolean simulator = open.stream().anyMatch(c -> c[1]);
            for (char c : (lines[i] + "\n").toCharArray()) {
                statement.append(c);
                depth += c == '{' ? 1 : c == '}' ? -1 : 0;
                if (c == ';' && depth == 0) {
                    add(normalise(statement.toString()), simulator, where);
                    statement.setLength(0);
                }
            }
        }
        if (!statement.toString().isBlank() || !open.isEmpty()) {
            throw new IllegalStateException(path + ": ends inside a declaration or a condition");
        }
    }

    /** One comparable form of C declarations: single spaces, none around punctuation. */
    static String normalise(String c) {
        return c.trim().replaceAll("\\s+", " ").replaceAll(" ?([(),;*{}=]) ?", "$1");
    }

    private void add(String declaration, boolean simulator, String where) {
        Matcher typedef = TYPEDEF.matcher(declaration);
        Matcher function = FUNCTION.matcher(declaration);
        if (typedef.matches()) {
            typedefs.put(typedef.group(2), typedef.group(1));
        } else if (declaration.startsWith("enum ")) {
            // An enum's constants: the bindings use the numbers through the typedefs.
        } else if (function.matches()) {
            String name = function.group(2);
            String parameters = function.group(3);
            List<String> types = parameters.equals("void") ? List.of()
                    : List.of(parameters.split(",")).stream().map(p -> parameterType(p, where)).toList();
            if (functions.put(name, new Function(name, function.group(1).trim(), types, simulator)) != null) {
                throw new IllegalStateException(where + ": " + name + " is declared twice");
            }
        } else {
            throw new IllegalStateException(where + ": a declaration this reader does not know: "
                    + declaration);
        }
    }

    /** {@code const char*config_json} → {@code const char*}: cbindgen names every parameter. */
    private static String parameterType(String parameter, String where) {
        Matcher m = PARAMETER.matcher(parameter);
        if (!m.matches()) {
            throw new IllegalStateException(where + ": a parameter without a name: " + parameter);
        }
        return m.group(1).trim();
    }
}
