package io.bpfkit.uapi;

import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfFiles;
import io.bpfkit.btf.BtfKind;
import io.bpfkit.btf.BtfType;
import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes {@code BpfLayouts.java} (the {@code bpf_attr} variants, the info structs and
 * {@code perf_event_attr} as {@link StructLayout}s) and the bit-position classes of
 * {@code io.bpfkit.uapi} from {@code object/src/main/uapi/layouts.txt} and a kernel BTF.
 * Build-only code beside {@link UapiGenerator}: {@code scripts/gen-uapi} runs it,
 * {@code UapiLayoutsGeneratedTest} runs it again to check the committed files.
 *
 * <p>The file is a rendering of a {@link Model}: per layout the members in order with explicit
 * padding. {@link #fromBtf} builds the model from BTF; {@link #fromClasses} reads it back from
 * the compiled classes, so a test can tell a hand edit (the file is not the rendering of its own
 * layouts) from a kernel difference (the BTF gives another model).
 *
 * <pre>{@code
 * java -cp ... io.bpfkit.uapi.UapiLayoutGenerator object/src/main/uapi/layouts.txt \
 *     /sys/kernel/btf/vmlinux object/src/main/java/io/bpfkit/uapi "from the BTF of Linux 6.18"
 * }</pre>
 */
public final class UapiLayoutGenerator {
    /** The list, as committed. */
    public static final Path LAYOUTS = Path.of("object", "src", "main", "uapi", "layouts.txt");
    /** The generated class of layouts. */
    public static final String LAYOUT_CLASS = "BpfLayouts";

    private static final Pattern LAYOUT = Pattern.compile("layout\\s+(\\w+)\\s+(\\w+)\\s+(\\S+)((?:\\s+\\w+=\\S+)*)"
            + "\\s*;\\s*(.+)");
    private static final Pattern BITS = Pattern.compile("bits\\s+(\\w+)\\s+(\\w+)\\s+(\\w+)\\s*;\\s*(.+)");
    private static final Pattern VARIANT = Pattern.compile("bpf_attr\\.(?:\\{(\\w+)}|(\\w+))");
    private static final int WIDTH = 120;

    private UapiLayoutGenerator() {
    }

    /** One {@code layout} line. */
    public record LayoutSpec(String constant, String name, String source, String through, boolean structSize,
            List<String> choose, Map<String, String> words, String doc) {
        /** Whether the layout is a variant of {@code union bpf_attr}. */
        public boolean isAttr() {
            return source.startsWith("bpf_attr.");
        }
    }

    /** One {@code bits} line: the bit fields of member {@code word} of layout {@code layout}. */
    public record BitsSpec(String className, String layout, String word, String doc) {
    }

    /** The parsed list. */
    public record Spec(List<LayoutSpec> layouts, List<BitsSpec> bits) {
    }

    /**
     * One member of a layout: {@code kind} is {@code u8}, {@code u16}, {@code u32},
     * {@code u64}, {@code chars} (a byte array) or {@code pad}; {@code name} is empty for padding.
     */
    public record Slot(String kind, String name, long size) {
    }

    /** A C bit field: lowest bit from the start of its storage unit, and width. */
    public record Bit(String name, int bit, int width) {
    }

    /** Everything the files are rendered from. */
    public record Model(Map<String, List<Slot>> layouts, Map<String, List<Bit>> bits) {
    }

    /** Parses layouts.txt. */
    public static Spec parse(List<String> lines) {
        List<LayoutSpec> layouts = new ArrayList<>();
        List<BitsSpec> bits = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = "layouts.txt:" + (i + 1) + ": ";
            Matcher b = BITS.matcher(line);
            if (b.matches()) {
                bits.add(new BitsSpec(b.group(1), b.group(2), b.group(3), b.group(4)));
                continue;
            }
            Matcher m = LAYOUT.matcher(line);
            if (!m.matches()) {
                throw new IllegalArgumentException(where + "not a layout or bits line: " + line);
            }
            String through = null;
            boolean structSize = false;
            List<String> choose = List.of();
            Map<String, String> words = new TreeMap<>();
            for (String option : m.group(4).strip().split("\\s+")) {
                if (option.isEmpty()) {
                    continue;
                }
                String[] kv = option.split("=", 2);
                switch (kv[0]) {
                    case "through" -> through = kv[1];
                    case "size" -> {
                        if (!kv[1].equals("struct")) {
                            throw new IllegalArgumentException(where + "size= takes only 'struct': " + option);
                        }
                        structSize = true;
                    }
                    case "choose" -> choose = List.of(kv[1].split(","));
                    case "word" -> {
                        String[] w = kv[1].split(":", 2);
                        if (w.length != 2) {
                            throw new IllegalArgumentException(where + "word= is FIRST:NAME: " + option);
                        }
                        words.put(w[0], w[1]);
                    }
                    default -> throw new IllegalArgumentException(where + "unknown option " + option);
                }
            }
            if (through == null) {
                throw new IllegalArgumentException(where + m.group(1) + " has no through=MEMBER");
            }
            layouts.add(new LayoutSpec(m.group(1), m.group(2), m.group(3), through, structSize, choose, words,
                    m.group(5)));
        }
        return new Spec(layouts, bits);
    }

    /** The layouts and bit fields of {@code spec} as {@code btf} describes them. */
    public static Model fromBtf(Spec spec, Btf btf) {
        Map<String, List<Slot>> layouts = new LinkedHashMap<>();
        Map<String, List<Bit>> wordBits = new LinkedHashMap<>();
        for (LayoutSpec l : spec.layouts()) {
            Flattener f = new Flattener(btf, l);
            BtfType.Composite root = f.root();
            f.composite(root, 0, "");
            layouts.put(l.constant(), f.finish(root.size()));
            f.bits.forEach((word, bits) -> wordBits.put(l.constant() + "." + word, bits));
        }
        Map<String, List<Bit>> bits = new LinkedHashMap<>();
        for (BitsSpec b : spec.bits()) {
            List<Bit> found = wordBits.get(b.layout() + "." + b.word());
            if (found == null) {
                throw new IllegalArgumentException("bits " + b.className() + ": " + b.layout() + " has no bit-field word "
                        + b.word());
            }
            bits.put(b.className(), found.stream().filter(x -> !x.name().startsWith("__reserved")).toList());
        }
        return new Model(layouts, bits);
    }

    /** Walks a BTF struct into slots, taking one alternative of each union. */
    private static final class Flattener {
        private final Btf btf;
        private final LayoutSpec spec;
        /** The byte offset of each slot. */
        private final List<Long> offsets = new ArrayList<>();
        private final List<Slot> slots = new ArrayList<>();
        private final Map<String, List<Bit>> bits = new LinkedHashMap<>();
        private String openWord;
        private long openWordBits = -1;

        Flattener(Btf btf, LayoutSpec spec) {
            this.btf = btf;
            this.spec = spec;
        }

        private BtfType resolve(int type) {
            return btf.type(btf.skipModifiersAndTypedefs(type));
        }

        BtfType.Composite root() {
            Matcher v = VARIANT.matcher(spec.source());
            if (!v.matches()) {
                BtfType t = btf.find(spec.source(), BtfKind.STRUCT).orElseThrow(() -> fail("no struct "
                        + spec.source() + " in the BTF"));
                return (BtfType.Composite) t;
            }
            BtfType.Union attr = (BtfType.Union) btf.find("bpf_attr", BtfKind.UNION)
                    .orElseThrow(() -> fail("no union bpf_attr in the BTF"));
            List<BtfType.Composite> found = new ArrayList<>();
            for (BtfType.Member m : attr.members()) {
                boolean hit = v.group(2) != null ? m.name().equals(v.group(2))
                        : m.name().isEmpty() && firstLeaf(m).equals(v.group(1));
                if (hit && resolve(m.type()) instanceof BtfType.Composite c) {
                    found.add(c);
                }
            }
            if (found.size() != 1) {
                throw fail(found.size() + " variants of union bpf_attr match " + spec.source());
            }
            return found.getFirst();
        }

        /** The name of the first member, looking through anonymous structs and unions. */
        private String firstLeaf(BtfType.Member m) {
            BtfType t = resolve(m.type());
            if (m.name().isEmpty() && t instanceof BtfType.Composite c && !c.members().isEmpty()) {
                return firstLeaf(c.members().getFirst());
            }
            return m.name();
        }

        void composite(BtfType.Composite c, long bitBase, String prefix) {
            if (c instanceof BtfType.Union u) {
                member(choose(u), bitBase, prefix);
                return;
            }
            for (BtfType.Member m : c.members()) {
                member(m, bitBase, prefix);
            }
        }

        private BtfType.Member choose(BtfType.Union u) {
            List<BtfType.Member> picked = u.members().stream()
                    .filter(m -> spec.choose().contains(m.name()) || m.name().isEmpty()
                            && spec.choose().contains(firstLeaf(m)))
                    .toList();
            if (picked.size() > 1) {
                throw fail("choose=" + spec.choose() + " matches " + picked.size() + " alternatives of one union");
            }
            return picked.isEmpty() ? u.members().getFirst() : picked.getFirst();
        }

        private void member(BtfType.Member m, long bitBase, String prefix) {
            long bitOffset = bitBase + m.bitOffset();
            BtfType t = resolve(m.type());
            if (m.isBitfield()) {
                bitfield(m, bitOffset, prefix, btf.resolveSize(m.type()));
                return;
            }
            openWord = null;
            if (t instanceof BtfType.Composite c) {
                composite(c, bitOffset, m.name().isEmpty() ? prefix : prefix + m.name() + ".");
                return;
            }
            if (bitOffset % 8 != 0) {
                throw fail(prefix + m.name() + " is not byte-aligned");
            }
            String name = prefix + m.name();
            Slot slot = switch (t) {
                case BtfType.Int i -> new Slot(intKind(i.size(), name), name, i.size());
                case BtfType.Array a when btf.resolveSize(a.type()) == 1 -> new Slot("chars", name, a.elements());
                default -> throw fail(name + " is a " + t.kind() + ", which the generator does not lay out");
            };
            add(bitOffset / 8, slot);
        }

        private void bitfield(BtfType.Member m, long bitOffset, String prefix, long unitBytes) {
            long unitBits = unitBytes * 8;
            long unitStart = bitOffset / unitBits * unitBits;
            if (openWord == null || openWordBits != unitStart) {
                openWord = spec.words().getOrDefault(m.name(), prefix + m.name());
                openWordBits = unitStart;
                bits.put(openWord, new ArrayList<>());
                add(unitStart / 8, new Slot(intKind(unitBytes, openWord), openWord, unitBytes));
            }
            bits.get(openWord).add(new Bit(m.name(), (int) (bitOffset - unitStart), m.bitfieldSize()));
        }

        private String intKind(long size, String name) {
            return switch ((int) size) {
                case 1 -> "u8";
                case 2 -> "u16";
                case 4 -> "u32";
                case 8 -> "u64";
                default -> throw fail(name + " is a " + size + "-byte integer");
            };
        }

        private void add(long byteOffset, Slot slot) {
            offsets.add(byteOffset);
            slots.add(slot);
        }

        /** The slots up to {@code through}, with padding, ending at 8 or at {@code structSize}. */
        List<Slot> finish(long structSize) {
            int last = -1;
            for (int i = 0; i < slots.size(); i++) {
                if (slots.get(i).name().equals(spec.through())) {
                    last = i;
                }
            }
            if (last < 0) {
                throw fail("through=" + spec.through() + " is not a member; members: "
                        + slots.stream().map(Slot::name).toList());
            }
            List<Slot> out = new ArrayList<>();
            long at = 0;
            for (int i = 0; i <= last; i++) {
                long off = offsets.get(i);
                if (off < at) {
                    throw fail(slots.get(i).name() + " at " + off + " overlaps the member before it");
                }
                if (off > at) {
                    out.add(new Slot("pad", "", off - at));
                }
                out.add(slots.get(i));
                at = off + slots.get(i).size();
            }
            long end = spec.structSize() ? structSize : (at + 7) / 8 * 8;
            if (end < at) {
                throw fail("members end at " + at + ", after the struct's " + end + " bytes");
            }
            if (end > at) {
                out.add(new Slot("pad", "", end - at));
            }
            return out;
        }

        private IllegalArgumentException fail(String what) {
            return new IllegalArgumentException("layout " + spec.constant() + " (" + spec.source() + "): " + what);
        }
    }

    /** The model of the compiled classes: what the committed files say. */
    public static Model fromClasses(Spec spec) throws ReflectiveOperationException {
        Class<?> layoutClass = Class.forName("io.bpfkit.uapi." + LAYOUT_CLASS);
        Map<String, List<Slot>> layouts = new LinkedHashMap<>();
        for (LayoutSpec l : spec.layouts()) {
            StructLayout s = (StructLayout) layoutClass.getField(l.constant()).get(null);
            List<Slot> slots = new ArrayList<>();
            for (MemoryLayout m : s.memberLayouts()) {
                slots.add(switch (m) {
                    case PaddingLayout p -> new Slot("pad", "", p.byteSize());
                    case SequenceLayout q when q.elementLayout().byteSize() == 1 ->
                            new Slot("chars", q.name().orElseThrow(), q.elementCount());
                    case ValueLayout v -> new Slot(intKind(v), v.name().orElseThrow(), v.byteSize());
                    default -> throw new IllegalStateException(l.constant() + ": unexpected member " + m);
                });
            }
            layouts.put(l.constant(), slots);
        }
        Map<String, List<Bit>> bits = new LinkedHashMap<>();
        for (BitsSpec b : spec.bits()) {
            Class<?> c = Class.forName("io.bpfkit.uapi." + b.className());
            @SuppressWarnings("unchecked")
            Map<String, Integer> positions = (Map<String, Integer>) c.getField("FLAG_BITS").get(null);
            List<Bit> list = new ArrayList<>();
            for (Map.Entry<String, Integer> e : positions.entrySet()) {
                String wide = e.getKey().toUpperCase() + "_WIDTH";
                int width = Arrays.stream(c.getFields()).anyMatch(f -> f.getName().equals(wide))
                        ? c.getField(wide).getInt(null) : 1;
                list.add(new Bit(e.getKey(), e.getValue(), width));
            }
            list.sort((x, y) -> Integer.compare(x.bit(), y.bit()));
            bits.put(b.className(), list);
        }
        return new Model(layouts, bits);
    }

    private static String intKind(ValueLayout v) {
        return switch ((int) v.byteSize()) {
            case 1 -> "u8";
            case 2 -> "u16";
            case 4 -> "u32";
            case 8 -> "u64";
            default -> throw new IllegalStateException(v + " is not an integer the generator writes");
        };
    }

    /** The generated files, by file name. */
    public static Map<String, String> render(Spec spec, Model model, String sources) {
        Map<String, String> files = new TreeMap<>();
        files.put(LAYOUT_CLASS + ".java", renderLayouts(spec, model, sources));
        for (BitsSpec b : spec.bits()) {
            files.put(b.className() + ".java", renderBits(b, model.bits().get(b.className()), sources));
        }
        return files;
    }

    private static String header(String sources) {
        return "// Generated by scripts/gen-uapi from object/src/main/uapi/layouts.txt,\n"
                + "// " + sources + ". Do not edit.\n"
                + "package io.bpfkit.uapi;\n\n";
    }

    private static String renderLayouts(Spec spec, Model model, String sources) {
        StringBuilder b = new StringBuilder(header(sources));
        b.append("""
                import java.lang.foreign.MemoryLayout;
                import java.lang.foreign.PaddingLayout;
                import java.lang.foreign.StructLayout;
                import java.lang.foreign.ValueLayout;
                import java.util.List;

                /**
                 * The kernel structures bpfkit passes to {@code bpf(2)} and {@code perf_event_open(2)}, as
                 * {@link StructLayout}s with the UAPI's field names, native byte order, generated from the
                 * kernel's BTF by the list in {@code object/src/main/uapi/layouts.txt}.
                 *
                 * <p>Each variant of {@code union bpf_attr} is its own layout that ends (padded to 8 bytes)
                 * after the last field bpfkit uses for that command; {@code bpf(2)} is called with that size,
                 * and the kernel accepts it as long as the fields it does not know are zero. Members that sit
                 * inside a named sub-struct of the union carry its path: {@code link_create.tracing.cookie} is
                 * member {@code tracing.cookie} of {@link #LINK_CREATE_TRACING}. Where the UAPI has a union of
                 * same-sized alternatives (e.g. {@code attach_prog_fd} / {@code attach_btf_obj_fd}) the layout
                 * names the first, unless the list chooses another. Padding sits where C puts it.
                 *
                 * <p>{@code UapiLayoutsGeneratedTest} generates this file again from the kernel's BTF;
                 * {@code runtime/src/test/c/attr_offsets.c} prints the C compiler's offsets of the same
                 * members and {@code BpfLayoutDifferentialTest} compares them.
                 */
                public final class BpfLayouts {
                    private BpfLayouts() {
                    }

                    private static ValueLayout.OfByte u8(String name) {
                        return ValueLayout.JAVA_BYTE.withName(name);
                    }

                    private static ValueLayout.OfShort u16(String name) {
                        return ValueLayout.JAVA_SHORT.withName(name);
                    }

                    private static ValueLayout.OfInt u32(String name) {
                        return ValueLayout.JAVA_INT.withName(name);
                    }

                    private static ValueLayout.OfLong u64(String name) {
                        return ValueLayout.JAVA_LONG.withName(name);
                    }

                    private static MemoryLayout chars(String name, int n) {
                        return MemoryLayout.sequenceLayout(n, ValueLayout.JAVA_BYTE).withName(name);
                    }

                    private static PaddingLayout pad(int n) {
                        return MemoryLayout.paddingLayout(n);
                    }

                    private static StructLayout struct(String name, MemoryLayout... members) {
                        return MemoryLayout.structLayout(members).withName(name);
                    }
                """);
        long maxAttr = 0;
        String maxAttrName = null;
        for (LayoutSpec l : spec.layouts()) {
            List<Slot> slots = model.layouts().get(l.constant());
            b.append('\n');
            javadoc(b, "    ", l.doc());
            List<String> items = new ArrayList<>();
            items.add("\"" + l.name() + "\"");
            long size = 0;
            for (Slot s : slots) {
                items.add(switch (s.kind()) {
                    case "pad" -> "pad(" + s.size() + ")";
                    case "chars" -> "chars(\"" + s.name() + "\", " + s.size() + ")";
                    default -> s.kind() + "(\"" + s.name() + "\")";
                });
                size += s.size();
            }
            wrap(b, "    public static final StructLayout " + l.constant() + " = struct(", items, ");");
            if (l.isAttr() && size > maxAttr) {
                maxAttr = size;
                maxAttrName = l.constant();
            }
        }
        b.append("\n    /** Every layout of this class, for tests. */\n");
        wrap(b, "    public static final List<StructLayout> ALL = List.of(",
                spec.layouts().stream().map(LayoutSpec::constant).toList(), ");");
        b.append("\n    /** The largest {@code bpf_attr} variant of this class (")
                .append(maxAttrName == null ? "none" : "{@link #" + maxAttrName + "}")
                .append("), for scratch buffers. */\n")
                .append("    public static final long MAX_ATTR_SIZE = ").append(maxAttr).append(";\n")
                .append("""

                            /** Whether {@code m} is padding, not a field. */
                            static boolean isPadding(MemoryLayout m) {
                                return m instanceof PaddingLayout;
                            }
                        }
                        """);
        return b.toString();
    }

    private static String renderBits(BitsSpec spec, List<Bit> bits, String sources) {
        StringBuilder b = new StringBuilder(header(sources));
        b.append("import java.util.Map;\n\n");
        javadoc(b, "", spec.doc());
        b
                .append("public final class ").append(spec.className()).append(" {\n");
        List<String> entries = new ArrayList<>();
        for (Bit bit : bits) {
            String upper = bit.name().toUpperCase();
            if (bit.width() == 1) {
                b.append("    public static final long FLAG_").append(upper).append(" = 1L << ").append(bit.bit())
                        .append(";\n");
            } else {
                b.append("    /** {@code ").append(bit.name()).append("}: ").append(bit.width())
                        .append(" bits from bit ").append(bit.bit()).append(". */\n")
                        .append("    public static final int ").append(upper).append("_SHIFT = ").append(bit.bit())
                        .append(";\n")
                        .append("    public static final int ").append(upper).append("_WIDTH = ")
                        .append(bit.width()).append(";\n");
            }
            entries.add("Map.entry(\"" + bit.name() + "\", " + bit.bit() + ")");
        }
        b.append("\n    /** The lowest bit of each C bit field, by name, for tests and tools. */\n");
        wrap(b, "    public static final Map<String, Integer> FLAG_BITS = Map.ofEntries(", entries, ");");
        b.append("\n    private ").append(spec.className()).append("() {\n    }\n}\n");
        return b.toString();
    }

    /** A Javadoc comment of {@code text}: one line when it fits, else wrapped at 100 columns. */
    private static void javadoc(StringBuilder b, String indent, String text) {
        String one = indent + "/** " + text + " */";
        if (one.length() <= WIDTH) {
            b.append(one).append('\n');
            return;
        }
        b.append(indent).append("/**\n");
        StringBuilder line = new StringBuilder(indent + " *");
        List<String> words = new ArrayList<>();
        for (String word : text.split(" ")) {
            // keep an inline tag's name and argument on one line
            if (!words.isEmpty() && words.getLast().chars().filter(c -> c == '{').count()
                    > words.getLast().chars().filter(c -> c == '}').count()) {
                words.set(words.size() - 1, words.getLast() + " " + word);
            } else {
                words.add(word);
            }
        }
        for (String word : words) {
            if (line.length() + 1 + word.length() > 100 && line.length() > indent.length() + 2) {
                b.append(line).append('\n');
                line = new StringBuilder(indent + " *");
            }
            line.append(' ').append(word);
        }
        b.append(line).append('\n').append(indent).append(" */\n");
    }

    /** {@code head item, item, ... tail}, wrapped at {@value #WIDTH} columns with 12-space continuation. */
    private static void wrap(StringBuilder b, String head, List<String> items, String tail) {
        StringBuilder line = new StringBuilder(head);
        boolean first = true;
        for (int i = 0; i < items.size(); i++) {
            String item = items.get(i) + (i == items.size() - 1 ? tail : ",");
            if (!first && line.length() + 1 + item.length() > WIDTH) {
                b.append(line).append('\n');
                line = new StringBuilder("            ");
            } else if (!first) {
                line.append(' ');
            }
            line.append(item);
            first = false;
        }
        b.append(line).append('\n');
    }

    /** {@code layouts.txt btf-file out-dir "sources description"}: writes the files. */
    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: UapiLayoutGenerator LAYOUTS BTF OUT_DIR SOURCES");
            System.exit(2);
        }
        Spec spec = parse(Files.readAllLines(Path.of(args[0])));
        Btf btf = BtfFiles.read(Path.of(args[1]));
        Path out = Path.of(args[2]);
        Map<String, String> files = render(spec, fromBtf(spec, btf), args[3]);
        for (Map.Entry<String, String> f : files.entrySet()) {
            Files.writeString(out.resolve(f.getKey()), f.getValue());
        }
        System.err.println("gen-uapi: " + spec.layouts().size() + " layouts, " + spec.bits().size()
                + " bit classes, into " + out);
    }

    /** Names of the files this generator writes. */
    public static Set<String> fileNames(Spec spec) {
        Set<String> names = new java.util.TreeSet<>();
        names.add(LAYOUT_CLASS + ".java");
        spec.bits().forEach(b -> names.add(b.className() + ".java"));
        return names;
    }
}
