package io.bpfkit.gen;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfKind;
import io.bpfkit.check.BindingCheck;
import io.bpfkit.check.HandleKind;
import io.bpfkit.check.JavaType;
import io.bpfkit.api.BpfException;
import io.bpfkit.elf.ElfFile;
import io.bpfkit.elf.ElfSection;
import io.bpfkit.elf.ElfSymbol;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.object.GlobalVariable;
import io.bpfkit.object.MapSpec;
import io.bpfkit.object.MapType;
import io.bpfkit.object.PmuCounterSpec;
import io.bpfkit.object.ProgramSpec;
import io.bpfkit.object.SectionDef;
import io.bpfkit.object.SectionRules;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * Writes the {@code @BpfObject} interface of an object from its spec and BTF, as
 * {@code bpftool gen skeleton}, bpf2go and libbpf-cargo start from the object: one {@code @Map}
 * method per map with the handle its type takes and key and value types from BTF (records for
 * structs, {@code @Size} arrays and strings, {@code @Unsigned} where BTF says unsigned,
 * {@code @CStruct} where the record's name is not the struct's), {@code BpfRingBuffer<R>} when
 * the object has a struct for the ring buffer's records, one {@code @Program} per program
 * ({@code autoAttach} where the section names a target), a {@code @Global} getter and setter per
 * variable of {@code .rodata}, {@code .data} and {@code .bss}, and {@code @HwPmu} per counter
 * the object declares. What Java cannot express (unions, bit fields, ...) is
 * {@code @Size(N) byte[]} with a comment saying why; what the object does not say (no BTF) is
 * in {@link Generated#notes()}. The annotation processor accepts the result against the same
 * object: it runs the same checks.
 *
 * <pre>{@code
 * BpfObjectSpec spec = BpfObjects.open(Path.of("target/bpf/runqlat.bpf.o"));
 * Generated g = BindingGenerator.generate(spec, new BindingGenerator.Options("com.example", null, null));
 * g.writeTo(Path.of("src/main/java"));   // com/example/Runqlat.java
 * }</pre>
 */
public final class BindingGenerator {
    private static final String MAP_PACKAGE = "io.bpfkit.api.map";
    private static final ClassName MAP = ClassName.get("io.bpfkit.api.annotation", "Map");
    private static final ClassName PROGRAM = ClassName.get("io.bpfkit.api.annotation", "Program");
    private static final ClassName GLOBAL = ClassName.get("io.bpfkit.api.annotation", "Global");
    private static final ClassName BPF_OBJECT = ClassName.get("io.bpfkit.api.annotation", "BpfObject");
    private static final ClassName CSTRUCT = ClassName.get("io.bpfkit.api.annotation", "CStruct");
    private static final ClassName SIZE = ClassName.get("io.bpfkit.api.codec", "Size");
    private static final ClassName UNSIGNED = ClassName.get("io.bpfkit.api.codec", "Unsigned");
    private static final ClassName HW_PMU = ClassName.get("io.bpfkit.api.pmu", "HwPmu");
    private static final ClassName PMU_COUNTER = ClassName.get("io.bpfkit.api.pmu", "PmuCounter");
    private static final ClassName BPF_PROGRAM = ClassName.get("io.bpfkit.api", "BpfProgram");
    /** Simple names a nested record must not shadow: the types the interface uses. */
    private static final Set<String> RESERVED_TYPES = Set.of("Map", "Program", "Global", "BpfObject", "CStruct",
            "Size", "Unsigned", "HwPmu", "PmuCounter", "BpfProgram", "Override", "AutoCloseable", "String", "Integer",
            "Long", "Short", "Byte", "Boolean", "Float", "Double", "Object", "Record", "Character", "Void", "Class",
            "Enum", "System", "Math", "Deprecated", "SuppressWarnings");

    private BindingGenerator() {
    }

    /**
     * What to generate.
     *
     * @param packageName the interface's package; empty: the unnamed package
     * @param interfaceName the interface's simple name; null: the object's name in Pascal case
     *     ({@code runqlat.bpf.o}: {@code Runqlat})
     * @param resource the {@code @BpfObject} resource; null: {@code NAME.bpf.o} for an object
     *     named {@code NAME}, next to the interface on the class path
     */
    public record Options(String packageName, String interfaceName, String resource) {
        public Options {
            packageName = packageName == null ? "" : packageName;
        }
    }

    /**
     * A generated interface.
     *
     * @param notes what could not be generated and why (no BTF, a map type without a handle,
     *     ...), one sentence each; the source says the same in comments
     */
    public record Generated(String packageName, String interfaceName, String source, List<String> notes) {
        /** The source file's path under a source root: {@code com/example/Runqlat.java}. */
        public java.nio.file.Path relativePath() {
            String dir = packageName.isEmpty() ? "" : packageName.replace('.', '/') + "/";
            return java.nio.file.Path.of(dir + interfaceName + ".java");
        }

        /** Writes the source under {@code sourceRoot}, creating the package's folders; returns the file. */
        public java.nio.file.Path writeTo(java.nio.file.Path sourceRoot) throws java.io.IOException {
            java.nio.file.Path file = sourceRoot.resolve(relativePath());
            java.nio.file.Files.createDirectories(file.getParent());
            java.nio.file.Files.writeString(file, source);
            return file;
        }
    }

    /** The interface of {@code spec}'s object. */
    public static Generated generate(BpfObjectSpec spec, Options options) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(options, "options");
        return new Writer(spec, options).write();
    }

    /**
     * The interface of the object {@code bytes}, read from file {@code fileName}. An object
     * without BTF whose maps are BTF-defined ({@code .maps}) cannot be opened; its interface
     * then holds what the ELF file alone tells (the programs and their sections), and
     * {@link Generated#notes()} names what is missing.
     *
     * @throws io.bpfkit.api.BpfException when the file is no BPF object
     */
    public static Generated generate(byte[] bytes, String fileName, Options options) {
        Objects.requireNonNull(options, "options");
        try {
            return generate(BpfObjects.open(bytes, fileName), options);
        } catch (BpfException e) {
            ElfFile elf;
            try {
                elf = ElfFile.parse(MemorySegment.ofArray(bytes));
            } catch (RuntimeException notElf) {
                throw e;
            }
            if (elf.section(".BTF").isPresent()) {
                throw e;
            }
            return new Writer(elf, fileName, options, e.getMessage()).write();
        }
    }

    /** {@code runqlat.bpf.o} to {@code Runqlat}: the default interface name for an object file. */
    public static String interfaceName(String objectFileName) {
        String base = objectFileName.replaceFirst("(\\.bpf)?\\.o$", "");
        return Names.pascal(base.isEmpty() ? "Probe" : base);
    }

    private static final class Writer {
        private final BpfObjectSpec spec;
        private final Btf btf;
        private final String interfaceName;
        private final ClassName iface;
        private final String resource;
        private final String objectName;
        private final Names methods = new Names(Set.of());
        private final Names recordNames;
        private final BtfTypes types;
        private final List<String> notes = new ArrayList<>();
        private final List<MethodSpec> mapMethods = new ArrayList<>();
        private final List<MethodSpec> programMethods = new ArrayList<>();
        private final List<MethodSpec> globalMethods = new ArrayList<>();
        private final List<MethodSpec> pmuMethods = new ArrayList<>();

        /** What the ELF file alone tells, when the object cannot be opened without its BTF. */
        private final ElfFile elfOnly;
        private final String openError;

        Writer(BpfObjectSpec spec, Options o) {
            this(spec, spec.name(), null, o, null);
        }

        Writer(ElfFile elf, String fileName, Options o, String openError) {
            this(null, fileName.replaceFirst("(\\.bpf)?\\.o$", ""), elf, o, openError);
        }

        private Writer(BpfObjectSpec spec, String name, ElfFile elf, Options o, String openError) {
            this.spec = spec;
            this.elfOnly = elf;
            this.openError = openError;
            this.btf = spec == null ? null : spec.btf().orElse(null);
            this.interfaceName = o.interfaceName() != null && !o.interfaceName().isBlank() ? o.interfaceName()
                    : interfaceName(name);
            this.iface = ClassName.get(o.packageName(), interfaceName);
            this.resource = o.resource() != null && !o.resource().isBlank() ? o.resource() : name + ".bpf.o";
            this.objectName = name;
            Set<String> reserved = new HashSet<>(RESERVED_TYPES);
            reserved.add(interfaceName);
            this.recordNames = new Names(reserved);
            this.types = btf == null ? null : new BtfTypes(btf, recordNames);
        }

        Generated write() {
            if (elfOnly != null) {
                writeFromElf();
            } else {
                writeFromSpec();
            }
            TypeSpec.Builder b = TypeSpec.interfaceBuilder(iface).addModifiers(Modifier.PUBLIC)
                    .addSuperinterface(AutoCloseable.class)
                    .addAnnotation(AnnotationSpec.builder(BPF_OBJECT).addMember("value", "$S", resource).build())
                    .addJavadoc("The programs, maps and globals of {@code $L}, generated by {@code bpfkit gen} from its "
                            + "BTF.\n", objectName);
            if (!notes.isEmpty()) {
                b.addJavadoc("\n<p>Not generated:\n<ul>\n");
                for (String n : notes) {
                    b.addJavadoc("<li>$L\n", escape(n));
                }
                b.addJavadoc("</ul>\n");
            }
            mapMethods.forEach(b::addMethod);
            pmuMethods.forEach(b::addMethod);
            programMethods.forEach(b::addMethod);
            globalMethods.forEach(b::addMethod);
            b.addMethod(MethodSpec.methodBuilder("close").addModifiers(Modifier.PUBLIC, Modifier.ABSTRACT)
                    .addAnnotation(Override.class).addJavadoc("Detaches the programs and closes the object.\n")
                    .build());
            if (types != null) {
                for (JType.RecordDef r : types.records()) {
                    b.addType(record(r));
                }
            }
            String source = JavaFile.builder(iface.packageName(), b.build()).skipJavaLangImports(true)
                    .indent("    ").build().toString();
            return new Generated(iface.packageName(), interfaceName, source, List.copyOf(notes));
        }

        private void writeFromSpec() {
            if (btf == null) {
                notes.add("the object has no BTF (.BTF section; stripped, or built without -g): map keys and values "
                        + "are typed by their sizes alone (no records, no signedness), and global variables, ring "
                        + "buffer records and struct layouts cannot be written");
            }
            for (MapSpec m : spec.maps()) {
                if (!m.isGlobalData() && m.definition() != MapSpec.Definition.INNER) {
                    map(m);
                }
            }
            for (ProgramSpec p : spec.programs()) {
                if (!p.isSubprogram()) {
                    program(p.name(), p.section(), p.sectionDef());
                }
            }
            if (btf != null) {
                Set<String> seen = new HashSet<>();
                for (GlobalVariable v : spec.globals()) {
                    if (BindingCheck.variable(spec, v.name()) == v && seen.add(v.name())) {
                        global(v);
                    }
                }
            }
        }

        /**
         * An object that cannot be opened without its BTF: its programs from the symbol table and
         * section names; its maps and globals named in the notes, since only BTF describes them.
         */
        private void writeFromElf() {
            notes.add("the object has no BTF (.BTF section; stripped, or built without -g), and it cannot be opened "
                    + "without it (" + openError + "): its maps, their key and value types and its global variables "
                    + "are described only there, so only its programs are written, and the binding will not load this "
                    + "object; generate from the object clang -g builds");
            List<ElfSection> sections = elfOnly.sections();
            for (ElfSymbol sym : elfOnly.symbols()) {
                if (sym.sectionIndex() <= 0 || sym.sectionIndex() >= sections.size()) {
                    continue;
                }
                ElfSection section = sections.get(sym.sectionIndex());
                if (sym.type() == ElfFile.STT_OBJECT && section.name().equals(".maps")) {
                    notes.add("map '" + sym.name() + "': a BTF-defined map, whose type, key and value only BTF holds");
                } else if (sym.type() == ElfFile.STT_OBJECT && section.name().matches("\\.(rodata|data|bss)(\\..*)?")) {
                    notes.add("global '" + sym.name() + "' (" + section.name() + ", " + sym.size() + " bytes): its "
                            + "type is in BTF only");
                } else if (sym.type() == ElfFile.STT_FUNC && sym.isGlobal() && section.isExecutable()
                        && !section.name().equals(".text")) {
                    program(sym.name(), section.name(), SectionRules.resolve(section.name()));
                }
            }
        }

        // ---- maps ---------------------------------------------------------------------------

        private void map(MapSpec m) {
            MapType type = m.mapType();
            HandleKind kind = type == null ? null : HandleKind.forMapType(type);
            if (kind == null) {
                notes.add("map '" + m.name() + "' (" + (type == null ? "type " + m.type() : type.libbpfName())
                        + "): bpfkit has no typed handle for it");
                return;
            }
            String method = methods.claim(Names.camel(m.name()), "Map");
            List<String> why = new ArrayList<>();
            TypeName handle = handle(m, kind, method, why, false);
            if (handle == null) {
                return;
            }
            MethodSpec.Builder b = MethodSpec.methodBuilder(method).addModifiers(Modifier.PUBLIC, Modifier.ABSTRACT)
                    .addAnnotation(AnnotationSpec.builder(MAP).addMember("value", "$S", m.name()).build())
                    .returns(handle);
            b.addJavadoc("Map {@code $L} ($L, $L entries).\n", m.name(), type.libbpfName(), m.maxEntries());
            for (String w : why) {
                b.addJavadoc("<p>$L\n", escape(w));
            }
            mapMethods.add(b.build());
            if (type == MapType.PERF_EVENT_ARRAY) {
                for (PmuCounterSpec c : m.pmuCounters()) {
                    pmu(m, c);
                }
            }
        }

        /** The handle type for map {@code m}, or null (with a note) when none fits. */
        private TypeName handle(MapSpec m, HandleKind kind, String method, List<String> why, boolean inner) {
            String what = (inner ? "the inner maps of " : "") + "map '" + m.name() + "'";
            ClassName raw = ClassName.get(MAP_PACKAGE, kind.handle());
            switch (kind) {
                case PROG_ARRAY, PERF_EVENT_ARRAY -> {
                    return raw;
                }
                case RINGBUF -> {
                    JType.RecordDef r = ringRecord(m);
                    if (r == null) {
                        why.add("No struct of the object's BTF could be told to be its records (none is called "
                                + String.join(", ", ringNames(m)) + ", nor is exactly one called *_event): a "
                                + "BpfRingBufferMap; declare "
                                + "BpfRingBuffer<R> with a record R of your own to read typed records.");
                        return raw;
                    }
                    return ParameterizedTypeName.get(ClassName.get(MAP_PACKAGE, HandleKind.RINGBUF_RECORDS.handle()),
                            iface.nestedClass(r.javaName()));
                }
                case USER_RINGBUF_RECORDS -> {
                    JType.RecordDef r = ringRecord(m);
                    if (r == null) {
                        notes.add(what + " (user_ringbuf): no struct of the object's BTF could be told to be its "
                                + "samples (none is called " + String.join(", ", ringNames(m)) + ")");
                        return null;
                    }
                    return ParameterizedTypeName.get(raw, iface.nestedClass(r.javaName()));
                }
                case HASH_OF_MAPS, ARRAY_OF_MAPS -> {
                    MapSpec in = m.innerMap();
                    HandleKind innerKind = in == null || in.mapType() == null ? null
                            : HandleKind.forMapType(in.mapType());
                    if (innerKind == null || innerKind.hasInner()) {
                        notes.add(what + ": " + (in == null ? "the object has no inner map template (__array(values, "
                                + "...))" : "its inner maps have no typed handle"));
                        return null;
                    }
                    TypeName innerHandle = handle(in, innerKind, method, why, true);
                    if (innerHandle == null) {
                        return null;
                    }
                    return kind == HandleKind.ARRAY_OF_MAPS ? ParameterizedTypeName.get(raw, innerHandle)
                            : ParameterizedTypeName.get(raw, boxed(key(m, method, why)), innerHandle);
                }
                default -> {
                }
            }
            if (!kind.hasValue()) {
                // Kernel-object maps (stack traces, sockets, XDP targets, the arena): their values
                // are the kernel's, the handle reads them in its own terms.
                return kind.hasKey() ? ParameterizedTypeName.get(raw, boxed(key(m, method, why))) : raw;
            }
            TypeName value = boxed(value(m, method, why));
            if (kind.hasKey()) {
                JType key = kind == HandleKind.LPM_TRIE ? lpmKey(m, why) : key(m, method, why);
                return ParameterizedTypeName.get(raw, boxed(key), value);
            }
            return ParameterizedTypeName.get(raw, value);
        }

        private JType key(MapSpec m, String method, List<String> why) {
            return elementType(m, m.keyTypeId(), m.keySize(), Names.pascal(method) + "Key", "key", why);
        }

        private JType value(MapSpec m, String method, List<String> why) {
            return elementType(m, m.valueTypeId(), m.valueSize(), Names.pascal(method) + "Value", "value", why);
        }

        /** An LPM trie's key data: the key struct after its {@code __u32 prefixlen}. */
        private JType lpmKey(MapSpec m, List<String> why) {
            long size = m.keySize() - 4;
            why.add("Its keys are the bytes after the key's __u32 prefixlen, which LpmKey carries.");
            return new JType.Opaque((int) Math.max(size, 1), "the key data after prefixlen");
        }

        /** The Java type of a map key or value: from BTF when the map has a type, by its size otherwise. */
        private JType elementType(MapSpec m, int typeId, long size, String hint, String part, List<String> why) {
            boolean typed = m.definition() == MapSpec.Definition.BTF || m.definition() == MapSpec.Definition.INNER;
            JType t = typed && types != null && typeId != 0 ? types.of(typeId, hint) : null;
            if (t == null) {
                t = bySize(size);
                if (btf != null && typed) {
                    why.add("Its " + part + " has no BTF type (" + part + "_size only): typed by its size.");
                }
            }
            return topLevel(t, size, "map '" + m.name() + "' " + part, why);
        }

        /** Arrays of numbers have no codec as a whole key, value or global: their bytes then. */
        private static JType topLevel(JType t, long bytes, String what, List<String> why) {
            if (t instanceof JType.Arr a && !(a.element() instanceof JType.Scalar s && s.kind() == JavaType.Kind.BYTE)) {
                int size = (int) bytes;
                why.add("The " + what + " is an array, which bpfkit reads as a whole only as bytes (or wrapped in "
                        + "a struct in C): @Size(" + size + ") byte[].");
                return new JType.Opaque(size, "an array");
            }
            if (t instanceof JType.Opaque o && !o.why().equals("an array")) {
                why.add("The " + what + " is @Size(" + o.size() + ") byte[]: " + o.why() + ".");
            }
            return t;
        }

        private static JType bySize(long size) {
            return switch ((int) size) {
                case 1 -> new JType.Scalar(JavaType.Kind.BYTE, false, null);
                case 2 -> new JType.Scalar(JavaType.Kind.SHORT, false, null);
                case 4 -> new JType.Scalar(JavaType.Kind.INT, false, null);
                case 8 -> new JType.Scalar(JavaType.Kind.LONG, false, null);
                default -> new JType.Opaque((int) Math.max(size, 1), size + " bytes without a BTF type");
            };
        }

        /** The names a ring buffer's record struct is looked for by: {@code event}, the map's name in the singular, ... */
        private List<String> ringNames(MapSpec m) {
            Set<String> names = new LinkedHashSet<>();
            String n = m.name();
            names.add(spec.name() + "_event");
            if (n.endsWith("s")) {
                names.add(n.substring(0, n.length() - 1));
            }
            names.add(n + "_event");
            names.add(n);
            names.add("event");
            String stem = n.replaceFirst("_?events?$", "");
            if (!stem.isEmpty()) {
                names.add(stem + "_event");
            }
            names.add("data_t");
            names.add("event_t");
            return List.copyOf(names);
        }

        private JType.RecordDef ringRecord(MapSpec m) {
            if (types == null) {
                return null;
            }
            for (String name : ringNames(m)) {
                OptionalInt id = btf.findId(name, BtfKind.STRUCT);
                if (id.isPresent() && types.of(id.getAsInt(), Names.pascal(name)) instanceof JType.Rec r) {
                    return r.def();
                }
            }
            // else the one struct whose name says it is an event, when there is exactly one
            List<String> events = new ArrayList<>();
            for (int id = 1; id < btf.typeCount(); id++) {
                if (btf.type(id) instanceof io.bpfkit.btf.BtfType.Struct s && s.name().matches("(.*_)?events?(_t)?")) {
                    events.add(s.name());
                }
            }
            if (events.size() == 1 && types.of(btf.findId(events.getFirst(), BtfKind.STRUCT).getAsInt(),
                    Names.pascal(events.getFirst())) instanceof JType.Rec r) {
                return r.def();
            }
            return null;
        }

        private void pmu(MapSpec m, PmuCounterSpec c) {
            if (c.event() == null || c.event().isBlank()) {
                notes.add("map '" + m.name() + "' counter " + c.index() + ": no event named");
                return;
            }
            String method = methods.claim(Names.camel(c.event()), "Counter");
            AnnotationSpec.Builder a = AnnotationSpec.builder(HW_PMU).addMember("map", "$S", m.name())
                    .addMember("event", "$S", c.event());
            if (c.fallback() != null && !c.fallback().isEmpty()) {
                a.addMember("fallback", "$S", c.fallback());
            }
            if (c.index() != 0) {
                a.addMember("counter", "$L", c.index());
            }
            pmuMethods.add(MethodSpec.methodBuilder(method).addModifiers(Modifier.PUBLIC, Modifier.ABSTRACT)
                    .addAnnotation(a.build()).returns(PMU_COUNTER)
                    .addJavadoc("Counter $L of map {@code $L}: $L.\n", c.index(), m.name(), escape(c.event())).build());
        }

        // ---- programs -----------------------------------------------------------------------

        private void program(String name, String section, SectionDef def) {
            if (!def.known()) {
                notes.add("program '" + name + "': section '" + section + "' names no program type bpfkit "
                        + "(or libbpf) knows");
                return;
            }
            String method = methods.claim(Names.camel(name), "Program");
            AnnotationSpec.Builder a = AnnotationSpec.builder(PROGRAM).addMember("value", "$S", name);
            if (def.autoAttachable()) {
                a.addMember("autoAttach", "true");
            }
            programMethods.add(MethodSpec.methodBuilder(method).addModifiers(Modifier.PUBLIC, Modifier.ABSTRACT)
                    .addAnnotation(a.build()).returns(BPF_PROGRAM)
                    .addJavadoc("Program {@code $L}, {@code SEC(\"$L\")}$L.\n", name, escape(section),
                            def.autoAttachable() ? ", attached by {@code load()}" : "")
                    .build());
        }

        // ---- globals ------------------------------------------------------------------------

        private void global(GlobalVariable v) {
            List<String> why = new ArrayList<>();
            JType t = v.typeId() == 0 ? null : types.of(v.typeId(), Names.pascal(v.name()));
            if (t == null) {
                notes.add("global '" + v.name() + "' (" + v.section() + "): its type " + v.type() + " has no size "
                        + "of its own");
                return;
            }
            t = topLevel(t, v.size(), "global '" + v.name() + "'", why);
            String method = methods.claim(Names.camel(v.name()), "Global");
            AnnotationSpec global = AnnotationSpec.builder(GLOBAL).addMember("value", "$S", v.name()).build();
            MethodSpec.Builder getter = MethodSpec.methodBuilder(method).addModifiers(Modifier.PUBLIC,
                    Modifier.ABSTRACT).addAnnotation(global).returns(typeName(t, false))
                    .addJavadoc("Global {@code $L} ($L, $L).\n", v.name(), v.section(), escape(v.type()));
            annotations(t).forEach(getter::addAnnotation);
            why.forEach(w -> getter.addJavadoc("<p>$L\n", escape(w)));
            ParameterSpec.Builder param = ParameterSpec.builder(typeName(t, false), "value");
            annotations(t).forEach(param::addAnnotation);
            MethodSpec setter = MethodSpec.methodBuilder(method).addModifiers(Modifier.PUBLIC, Modifier.ABSTRACT)
                    .addAnnotation(global).addParameter(param.build())
                    .addJavadoc("Sets global {@code $L} before the object loads.\n", v.name()).build();
            globalMethods.add(getter.build());
            globalMethods.add(setter);
        }

        // ---- records and types --------------------------------------------------------------

        private TypeSpec record(JType.RecordDef r) {
            TypeSpec.Builder b = TypeSpec.recordBuilder(iface.nestedClass(r.javaName()))
                    .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
                    .addJavadoc("{@code $L}, as the object's BTF lays it out.\n", r.cName() == null
                            ? "an anonymous struct" : "struct " + r.cName());
            if (r.cName() != null && !BindingCheck.snake(r.javaName()).equals(r.cName())) {
                b.addAnnotation(AnnotationSpec.builder(CSTRUCT).addMember("value", "$S", r.cName()).build());
            }
            MethodSpec.Builder ctor = MethodSpec.constructorBuilder();
            for (JType.Member c : r.members()) {
                ParameterSpec.Builder p = ParameterSpec.builder(typeName(c.type(), false), c.name());
                annotations(c.type()).forEach(p::addAnnotation);
                ctor.addParameter(p.build());
                String note = note(c.type());
                if (note != null) {
                    b.addJavadoc("<p>{@code $L}: $L\n", c.name(), escape(note));
                }
            }
            return b.recordConstructor(ctor.build()).build();
        }

        private static String note(JType t) {
            return switch (t) {
                case JType.Scalar s -> s.note();
                case JType.Opaque o -> "@Size(" + o.size() + ") byte[]: " + o.why() + ".";
                case JType.Arr a -> note(a.element());
                default -> null;
            };
        }

        /** {@code @Size} and {@code @Unsigned} as {@code t} needs them on its declaration. */
        private static List<AnnotationSpec> annotations(JType t) {
            List<AnnotationSpec> out = new ArrayList<>();
            Integer size = JType.size(t);
            if (size != null) {
                out.add(AnnotationSpec.builder(SIZE).addMember("value", "$L", size).build());
            }
            if (JType.unsigned(t)) {
                out.add(AnnotationSpec.builder(UNSIGNED).build());
            }
            return out;
        }

        /** {@code t} as a type argument: boxed, with its annotations on the type. */
        private TypeName boxed(JType t) {
            return typeName(t, true);
        }

        private TypeName typeName(JType t, boolean typeArgument) {
            TypeName n = switch (t) {
                case JType.Scalar s -> {
                    TypeName p = switch (s.kind()) {
                        case BYTE -> TypeName.BYTE;
                        case SHORT -> TypeName.SHORT;
                        case INT -> TypeName.INT;
                        case LONG -> TypeName.LONG;
                        case FLOAT -> TypeName.FLOAT;
                        case DOUBLE -> TypeName.DOUBLE;
                        case BOOLEAN -> TypeName.BOOLEAN;
                        case CHAR -> TypeName.CHAR;
                    };
                    yield typeArgument ? p.box() : p;
                }
                case JType.Text x -> ClassName.get(String.class);
                case JType.Arr a -> ArrayTypeName.of(typeName(a.element(), false));
                case JType.Rec r -> iface.nestedClass(r.def().javaName());
                case JType.Opaque o -> ArrayTypeName.of(TypeName.BYTE);
            };
            if (!typeArgument) {
                return n;
            }
            List<AnnotationSpec> annotations = annotations(t);
            if (annotations.isEmpty()) {
                return n;
            }
            // on the element type of arrays (@Size(16) byte[]), where the processor looks for them too
            if (n instanceof ArrayTypeName a) {
                return ArrayTypeName.of(a.componentType().annotated(annotations));
            }
            return n.annotated(annotations);
        }

        /** Text for Javadoc: no comment end. */
        private static String escape(String s) {
            return s.replace("*/", "*&#47;");
        }
    }
}
