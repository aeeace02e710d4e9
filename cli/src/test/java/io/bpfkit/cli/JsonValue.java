package io.bpfkit.cli;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict little JSON reader for the tests: objects become ordered maps, arrays lists, numbers
 * {@link BigDecimal}s, and so on. Malformed text fails with the offset.
 */
final class JsonValue {
    private final String s;
    private int at;

    private JsonValue(String s) {
        this.s = s;
    }

    static Object parse(String text) {
        JsonValue p = new JsonValue(text);
        Object v = p.value();
        p.space();
        if (p.at != text.length()) {
            throw p.bad("text after the value");
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object v) {
        return (Map<String, Object>) v;
    }

    @SuppressWarnings("unchecked")
    static List<Object> array(Object v) {
        return (List<Object>) v;
    }

    private Object value() {
        space();
        if (at >= s.length()) {
            throw bad("end of text");
        }
        char c = s.charAt(at);
        switch (c) {
            case '{' -> {
                at++;
                Map<String, Object> m = new LinkedHashMap<>();
                space();
                if (peek('}')) {
                    return m;
                }
                do {
                    space();
                    String k = string();
                    space();
                    expect(':');
                    if (m.put(k, value()) != null) {
                        throw bad("duplicate member " + k);
                    }
                    space();
                } while (peek(','));
                expect('}');
                return m;
            }
            case '[' -> {
                at++;
                List<Object> l = new ArrayList<>();
                space();
                if (peek(']')) {
                    return l;
                }
                do {
                    l.add(value());
                    space();
                } while (peek(','));
                expect(']');
                return l;
            }
            case '"' -> {
                return string();
            }
            default -> {
                for (String word : List.of("true", "false", "null")) {
                    if (s.startsWith(word, at)) {
                        at += word.length();
                        return word.equals("null") ? null : Boolean.valueOf(word);
                    }
                }
                int start = at;
                while (at < s.length() && "+-0123456789.eE".indexOf(s.charAt(at)) >= 0) {
                    at++;
                }
                if (start == at) {
                    throw bad("unexpected '" + c + "'");
                }
                return new BigDecimal(s.substring(start, at));
            }
        }
    }

    private String string() {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (true) {
            if (at >= s.length()) {
                throw bad("unterminated string");
            }
            char c = s.charAt(at++);
            if (c == '"') {
                return b.toString();
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = s.charAt(at++);
            switch (e) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'u' -> {
                    b.append((char) Integer.parseInt(s.substring(at, at + 4), 16));
                    at += 4;
                }
                default -> b.append(e);
            }
        }
    }

    private void space() {
        while (at < s.length() && Character.isWhitespace(s.charAt(at))) {
            at++;
        }
    }

    private boolean peek(char c) {
        if (at < s.length() && s.charAt(at) == c) {
            at++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!peek(c)) {
            throw bad("expected '" + c + "'");
        }
    }

    private IllegalArgumentException bad(String what) {
        return new IllegalArgumentException("JSON at offset " + at + ": " + what + " in "
                + s.substring(Math.max(0, at - 40), Math.min(s.length(), at + 40)));
    }
}
