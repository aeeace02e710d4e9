package io.bpfkit.cli;

/** A small streaming JSON writer: enough for bpfkit's machine-readable output, no dependency. */
final class Json {
    private final StringBuilder out = new StringBuilder();
    private final boolean[] needComma = new boolean[64];
    private int depth;
    private boolean afterName;

    Json beginObject() {
        raw("{");
        push();
        return this;
    }

    Json endObject() {
        return pop('}');
    }

    Json beginArray() {
        raw("[");
        push();
        return this;
    }

    Json endArray() {
        return pop(']');
    }

    Json name(String name) {
        separate();
        string(name);
        out.append(':');
        afterName = true;
        return this;
    }

    Json field(String name, String value) {
        return name(name).value(value);
    }

    Json field(String name, long value) {
        return name(name).value(value);
    }

    Json field(String name, boolean value) {
        return name(name).raw(Boolean.toString(value));
    }

    Json value(String s) {
        if (s == null) {
            return raw("null");
        }
        separate();
        string(s);
        return this;
    }

    Json value(long v) {
        return raw(Long.toString(v));
    }

    private Json raw(String token) {
        separate();
        out.append(token);
        return this;
    }

    private void separate() {
        if (afterName) {
            afterName = false;
            return;
        }
        if (depth > 0 && needComma[depth]) {
            out.append(',');
        }
        if (depth > 0) {
            needComma[depth] = true;
        }
    }

    private void push() {
        depth++;
        needComma[depth] = false;
    }

    private Json pop(char close) {
        depth--;
        out.append(close);
        return this;
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
