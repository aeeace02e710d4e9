package io.bpfkit.uapi;

import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfFiles;
import io.bpfkit.btf.BtfType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes the constant classes of {@code io.bpfkit.uapi} ({@code BpfCmd}, {@code BpfFlags}, ...)
 * from the list of names bpfkit uses ({@code object/src/main/uapi/names.txt}) and two sources:
 * the enumerators of a kernel BTF ({@code /sys/kernel/btf/vmlinux}) and the {@code #define}s
 * of a UAPI header tree ({@code make headers_install} output, see
 * {@code scripts/kernel-source --print-uapi-dir}). Build-only code: {@code scripts/gen-uapi}
 * runs it, {@link UapiGeneratedTest} runs its resolution again to check the committed classes.
 *
 * <p>A name found in both sources must have the same value in both. A name found in neither
 * (a {@code #define} newer than the headers, a value from a kernel newer than the BTF) is
 * written only if the list pins it ({@code NAME = VALUE ; where it comes from}); a pinned
 * name that a source does resolve must agree with the pin.
 *
 * <pre>{@code
 * java -cp ... io.bpfkit.uapi.UapiGenerator object/src/main/uapi/names.txt \
 *     /sys/kernel/btf/vmlinux /var/cache/bpfkit/.../uapi/include object/src/main/java/io/bpfkit/uapi
 * }</pre>
 */
public final class UapiGenerator {
    /** The list, as committed. */
    public static final Path NAMES = Path.of("object", "src", "main", "uapi", "names.txt");
    /** Where the classes go. */
    public static final Path OUT = Path.of("object", "src", "main", "java", "io", "bpfkit", "uapi");
    /** The headers whose {@code #define}s are read. */
    static final List<String> HEADERS = List.of("linux/bpf.h", "linux/perf_event.h");

    private static final Pattern CLASS = Pattern.compile("class\\s+(\\w+)\\s+(int|long)\\s+(bits|hex|dec)\\s+(.+)");
    private static final Pattern NAME = Pattern.compile("(\\w+)((?:\\s+(?:int|long|bits|hex|dec))*)"
            + "(?:\\s*=\\s*(0x[0-9a-fA-F]+|-?\\d+)\\s*;\\s*(.+))?");

    private UapiGenerator() {
    }

    /** One constant of the list: Java type, how to print it, and the pin if the list has one. */
    public record Name(String name, String javaType, String format, Long pinned, String pinReason) {
    }

    /** One generated class. */
    public record ClassSpec(String name, String javaType, String format, String doc, List<Name> names) {
    }

    /** What the sources say: the values found, and from where. */
    public record Resolution(Map<String, Long> btf, Map<String, Long> headers, List<String> conflicts) {
        /** The value the generator writes for {@code n}, or null when nothing resolves or pins it. */
        public Long value(Name n) {
            Long v = btf.get(n.name());
            if (v == null) {
                v = headers.get(n.name());
            }
            return v != null ? v : n.pinned();
        }

        public boolean resolved(String name) {
            return btf.containsKey(name) || headers.containsKey(name);
        }
    }

    /** Parses the list. */
    public static List<ClassSpec> parse(List<String> lines) {
        List<ClassSpec> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        ClassSpec current = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher c = CLASS.matcher(line);
            if (c.matches()) {
                current = new ClassSpec(c.group(1), c.group(2), c.group(3), c.group(4), new ArrayList<>());
                out.add(current);
                continue;
            }
            Matcher n = NAME.matcher(line);
            if (!n.matches() || current == null) {
                throw new IllegalArgumentException("names.txt:" + (i + 1) + ": not a class or name line: " + line);
            }
            if (!seen.add(n.group(1))) {
                throw new IllegalArgumentException("names.txt:" + (i + 1) + ": " + n.group(1) + " is listed twice");
            }
            String type = current.javaType();
            String format = current.format();
            for (String opt : n.group(2).strip().split("\\s+")) {
                switch (opt) {
                    case "int", "long" -> type = opt;
                    case "bits", "hex", "dec" -> format = opt;
                    default -> { }
                }
            }
            Long pin = n.group(3) == null ? null : Long.decode(n.group(3));
            current.names().add(new Name(n.group(1), type, format, pin, n.group(4)));
        }
        return out;
    }

    /** Every name of the list. */
    public static Set<String> allNames(List<ClassSpec> classes) {
        Set<String> all = new HashSet<>();
        classes.forEach(c -> c.names().forEach(n -> all.add(n.name())));
        return all;
    }

    /** The enumerators of {@code btf} named in {@code wanted}; a name with two values is a conflict. */
    public static Map<String, Long> fromBtf(Btf btf, Set<String> wanted, List<String> conflicts) {
        Map<String, Long> out = new TreeMap<>();
        for (int id = btf.firstId(); btf.hasType(id); id++) {
            if (btf.type(id) instanceof BtfType.Enumeration e) {
                for (BtfType.EnumValue v : e.values()) {
                    if (!wanted.contains(v.name())) {
                        continue;
                    }
                    long value = !e.signed() && e.size() == 4 ? v.value() & 0xffff_ffffL : v.value();
                    Long old = out.put(v.name(), value);
                    if (old != null && old != value) {
                        conflicts.add(v.name() + ": BTF has two values, " + old + " and " + value);
                    }
                }
            }
        }
        return out;
    }

    /**
     * The {@code #define}s named in {@code wanted} under {@code include} ({@code -I} directory
     * of a UAPI tree), evaluated by the C compiler {@code cc}.
     */
    public static Map<String, Long> fromHeaders(Path cc, Path include, Set<String> wanted, Path tmp)
            throws IOException {
        StringBuilder src = new StringBuilder();
        for (String h : HEADERS) {
            src.append("#include <").append(h).append(">\n");
        }
        Path c = tmp.resolve("uapi_defines.c");
        Files.writeString(c, src);
        String defines = run(tmp, cc.toString(), "-dM", "-E", "-I" + include, c.toString());
        Set<String> macros = new HashSet<>();
        for (String line : defines.split("\n")) {
            String[] f = line.split("[\\s(]", 3);
            if (f.length >= 2 && f[0].equals("#define") && wanted.contains(f[1])) {
                macros.add(f[1]);
            }
        }
        Map<String, Long> out = new TreeMap<>();
        if (macros.isEmpty()) {
            return out;
        }
        src.append("#include <stdio.h>\nint main(void)\n{\n");
        for (String m : new TreeSet<>(macros)) {
            src.append("    printf(\"%s %lld\\n\", \"").append(m).append("\", (long long)(").append(m).append("));\n");
        }
        src.append("    return 0;\n}\n");
        Files.writeString(c, src);
        Path exe = tmp.resolve("uapi_defines");
        run(tmp, cc.toString(), "-I" + include, "-o", exe.toString(), c.toString());
        for (String line : run(tmp, exe.toString()).split("\n")) {
            String[] f = line.split(" ");
            if (f.length == 2) {
                out.put(f[0], Long.parseLong(f[1]));
            }
        }
        return out;
    }

    /** Both sources for the names of {@code classes}. */
    public static Resolution resolve(List<ClassSpec> classes, Btf btf, Path cc, Path include, Path tmp)
            throws IOException {
        Set<String> wanted = allNames(classes);
        List<String> conflicts = new ArrayList<>();
        Map<String, Long> fromBtf = fromBtf(btf, wanted, conflicts);
        Map<String, Long> fromHeaders = fromHeaders(cc, include, wanted, tmp);
        for (ClassSpec cs : classes) {
            for (Name n : cs.names()) {
                Long b = fromBtf.get(n.name());
                Long h = fromHeaders.get(n.name());
                if (b != null && h != null && !b.equals(h)) {
                    conflicts.add(n.name() + ": BTF " + b + ", headers " + h);
                }
                Long found = b != null ? b : h;
                if (found != null && n.pinned() != null && !found.equals(n.pinned())) {
                    conflicts.add(n.name() + ": pinned to " + n.pinned() + " in names.txt, the sources say " + found);
                }
            }
        }
        return new Resolution(fromBtf, fromHeaders, conflicts);
    }

    /** The Java source of {@code cs}, with {@code sources} named in its header. */
    public static String render(ClassSpec cs, Resolution r, String sources) {
        StringBuilder b = new StringBuilder();
        b.append("// Generated by scripts/gen-uapi from object/src/main/uapi/names.txt,\n")
                .append("// ").append(sources).append(". Do not edit.\n")
                .append("package io.bpfkit.uapi;\n\n")
                .append("/** ").append(cs.doc()).append(" */\n")
                .append("public final class ").append(cs.name()).append(" {\n");
        for (Name n : cs.names()) {
            Long v = r.value(n);
            if (v == null) {
                throw new IllegalStateException(n.name() + " is in neither source and not pinned in names.txt");
            }
            if (!r.resolved(n.name())) {
                b.append("    /** Not in the sources the generator read: ").append(n.pinReason()).append(" */\n");
            }
            b.append("    public static final ").append(n.javaType()).append(' ').append(n.name()).append(" = ")
                    .append(literal(v, n.javaType(), n.format())).append(";\n");
        }
        b.append("\n    private ").append(cs.name()).append("() {\n    }\n}\n");
        return b.toString();
    }

    static String literal(long v, String type, String format) {
        boolean isLong = type.equals("long");
        if (!isLong && (v > 0xffff_ffffL || v < Integer.MIN_VALUE)) {
            throw new IllegalArgumentException(v + " does not fit a Java int");
        }
        long shown = isLong ? v : (int) v;
        String suffix = isLong && (shown > Integer.MAX_VALUE || shown < Integer.MIN_VALUE) ? "L" : "";
        return switch (format) {
            case "bits" -> v > 1 && Long.bitCount(v) == 1
                    ? (isLong && Long.numberOfTrailingZeros(v) >= 31 ? "1L" : "1") + " << " + Long.numberOfTrailingZeros(v)
                    : shown + suffix;
            case "hex" -> "0x" + Long.toHexString(isLong ? v : v & 0xffff_ffffL) + (isLong && suffix.isEmpty()
                    && v > Integer.MAX_VALUE ? "L" : suffix);
            default -> shown + suffix;
        };
    }

    static String run(Path dir, String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed:\n" + new String(err, StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** The generated file of each class, by file name. */
    public static Map<String, String> generate(List<ClassSpec> classes, Resolution r, String sources) {
        Map<String, String> files = new TreeMap<>();
        for (ClassSpec cs : classes) {
            files.put(cs.name() + ".java", render(cs, r, sources));
        }
        return files;
    }

    /**
     * {@code names.txt btf-file include-dir out-dir "sources description"}: writes the classes,
     * or fails naming every conflict and every unresolved, unpinned name.
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 5) {
            System.err.println("usage: UapiGenerator NAMES BTF INCLUDE OUT_DIR SOURCES");
            System.exit(2);
        }
        List<ClassSpec> classes = parse(Files.readAllLines(Path.of(args[0])));
        Btf btf = BtfFiles.read(Path.of(args[1]));
        Path tmp = Files.createTempDirectory("gen-uapi");
        try {
            Resolution r = resolve(classes, btf, Path.of(System.getenv().getOrDefault("CC", "cc")), Path.of(args[2]),
                    tmp);
            List<String> problems = new ArrayList<>(r.conflicts());
            for (ClassSpec cs : classes) {
                for (Name n : cs.names()) {
                    if (r.value(n) == null) {
                        problems.add(n.name() + ": in neither source; pin it in names.txt with where it comes from");
                    } else if (!r.resolved(n.name())) {
                        System.err.println("gen-uapi: pinned, not in the sources: " + n.name() + " (" + n.pinReason()
                                + ")");
                    }
                }
            }
            if (!problems.isEmpty()) {
                System.err.println("gen-uapi: " + String.join("\n  ", problems));
                System.exit(1);
            }
            Path out = Path.of(args[3]);
            for (Map.Entry<String, String> f : generate(classes, r, args[4]).entrySet()) {
                Files.writeString(out.resolve(f.getKey()), f.getValue());
            }
            System.err.println("gen-uapi: " + allNames(classes).size() + " names, " + r.btf().size() + " from BTF, "
                    + r.headers().size() + " from the headers, into " + out);
        } finally {
            try (var s = Files.list(tmp)) {
                for (Path p : s.toList()) {
                    Files.delete(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Files.delete(tmp);
        }
    }
}
