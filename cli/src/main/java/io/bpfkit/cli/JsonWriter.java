package io.bpfkit.cli;

/**
 * JSON written token by token the way bpftool's writer does it, so that {@code bpfkit prog|map|link
 * --json} and {@code map dump} print byte for byte what {@code bpftool -j} prints: compact, or
 * "pretty" as bpftool's BTF dumper is for the plain-text {@code map dump} (each member on its own
 * line, indented by four spaces per level; array elements stay on one line). Values written with
 * {@link #raw} go out as given (numbers, and bpftool's unquoted plain-text forms such as
 * {@code 0x1f}).
 *
 * <pre>{@code
 * JsonWriter w = new JsonWriter(false);
 * w.beginObject().name("id").raw("7").name("tag").string("a04f5eef06a7f555").endObject();
 * w.toString();   // {"id":7,"tag":"a04f5eef06a7f555"}
 * }</pre>
 */
final class JsonWriter {
    private final StringBuilder out = new StringBuilder();
    private final boolean pretty;
    private int depth;
    /** The separator owed before the next token: ',' inside a non-empty collection, 0 otherwise. */
    private char sep;

    JsonWriter(boolean pretty) {
        this.pretty = pretty;
    }

    /** Whether this writes bpftool's indented form (its plain-text map dump). */
    boolean isPretty() {
        return pretty;
    }

    JsonWriter beginObject() {
        return begin('{');
    }

    JsonWriter endObject() {
        return end('}');
    }

    JsonWriter beginArray() {
        return begin('[');
    }

    JsonWriter endArray() {
        return end(']');
    }

    JsonWriter name(String name) {
        separate();
        newLine();
        sep = 0;
        quote(name);
        out.append(':');
        if (pretty) {
            out.append(' ');
        }
        return this;
    }

    JsonWriter string(String s) {
        separate();
        quote(s);
        return this;
    }

    /** A value as written: a number, {@code true}, {@code null}, or an already quoted string. */
    JsonWriter raw(String token) {
        separate();
        out.append(token);
        return this;
    }

    JsonWriter number(long v) {
        return raw(Long.toString(v));
    }

    /** An unsigned 64-bit number, as C's {@code %llu} prints it. */
    JsonWriter unsigned(long v) {
        return raw(Long.toUnsignedString(v));
    }

    JsonWriter bool(boolean b) {
        return raw(Boolean.toString(b));
    }

    JsonWriter field(String name, String value) {
        return name(name).string(value);
    }

    JsonWriter field(String name, long value) {
        return name(name).number(value);
    }

    JsonWriter unsignedField(String name, long value) {
        return name(name).unsigned(value);
    }

    JsonWriter field(String name, boolean value) {
        return name(name).bool(value);
    }

    private JsonWriter begin(char c) {
        separate();
        out.append(c);
        depth++;
        sep = 0;
        return this;
    }

    private JsonWriter end(char c) {
        depth--;
        if (sep != 0) {
            newLine();
        }
        out.append(c);
        sep = ',';
        return this;
    }

    private void separate() {
        if (sep != 0) {
            out.append(sep);
        }
        sep = ',';
    }

    private void newLine() {
        if (pretty) {
            out.append('\n');
            out.append("    ".repeat(depth));
        }
    }

    /** bpftool's escaping: the C escapes and the quote; other characters as they are. */
    private void quote(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\f' -> out.append("\\f");
                case '\b' -> out.append("\\b");
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                default -> out.append(c);
            }
        }
        out.append('"');
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
