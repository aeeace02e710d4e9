package io.bpfkit.processor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.codec.Codec;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfType;
import io.bpfkit.check.BindingCheck;
import io.bpfkit.check.CType;
import io.bpfkit.map.RecordCodec;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One table of records, each beside the C struct it stands for, laid out three ways that must
 * agree: by the annotation processor (the generated codec's {@code TYPE}), by the runtime's
 * {@link RecordCodec} (from the compiled class, {@code @CStruct} read at run time), and by clang
 * (the BTF of the structs compiled for BPF). Sizes, member offsets and sizes, nested structs
 * and signedness are compared; then the generated and the run-time codec must write the same
 * bytes for the same value, and each must read what the other wrote.
 */
class RecordLayoutTableTest {

    /** A record (annotations, name, components) and the body of the C struct it stands for. */
    record Row(String declaration, String cStruct, String cBody) {
        String name() {
            String d = declaration.substring(declaration.indexOf("record ") + "record ".length());
            return d.substring(0, d.indexOf('('));
        }
    }

    /** The table. Nested records come after the records they contain. */
    static final List<Row> TABLE = List.of(
            new Row("record Signed(byte b, short s, int i, long l)", "signed_widths",
                    "signed char b; short s; int i; long long l;"),
            new Row("record Unsigneds(@Unsigned byte b, @Unsigned short s, @Unsigned int i, @Unsigned long l)",
                    "unsigned_widths", "unsigned char b; unsigned short s; unsigned int i; unsigned long long l;"),
            new Row("record Reals(float f, double d, boolean z)", "reals", "float f; double d; _Bool z;"),
            new Row("record Gaps(byte a, long b, byte c, int d, byte e, short f)", "gaps",
                    "char a; long long b; char c; int d; char e; short f;"),
            new Row("record Tail(long a, byte b)", "tail", "long long a; char b;"),
            new Row("record Bytes3(byte a, byte b, byte c)", "bytes3", "char a; char b; char c;"),
            new Row("record Point(int x, int y)", "point", "int x; int y;"),
            new Row("record Segment(byte tag, Point from, Point to, short width)", "segment",
                    "char tag; struct point from; struct point to; short width;"),
            new Row("record Holder(Tail tail, byte after)", "holder", "struct tail tail; char after;"),
            new Row("record Arrays(@Size(3) byte[] b, @Size(3) short[] s, @Size(2) long[] l, "
                    + "@Size(5) @Unsigned int[] u, @Size(2) double[] d, @Size(3) boolean[] z, @Size(1) float[] f)",
                    "arrays", "char b[3]; short s[3]; long long l[2]; unsigned int u[5]; double d[2]; _Bool z[3]; "
                    + "float f[1];"),
            new Row("record Polyline(byte closed, @Size(3) Point[] points, @Size(2) Tail[] tails)", "polyline",
                    "char closed; struct point points[3]; struct tail tails[2];"),
            new Row("record Named(@Size(16) String comm, int pid, @Size(3) String tag, long when)", "named",
                    "char comm[16]; int pid; char tag[3]; long long when;"),
            new Row("@CStruct(\"flow_v4\") record FlowKey4(@Unsigned int saddr, @Unsigned short sport, "
                    + "@Unsigned byte proto)", "flow_v4", "unsigned int saddr; unsigned short sport; "
                    + "unsigned char proto;"),
            new Row("@CStruct(\"flow_entry\") record FlowEntry(FlowKey4 key, @Unsigned long packets, "
                    + "@Size(2) FlowKey4[] peers)", "flow_entry",
                    "struct flow_v4 key; unsigned long long packets; struct flow_v4 peers[2];"),
            new Row("record Boxes(Integer a, @Unsigned Long b, Boolean c)", "boxes",
                    "int a; unsigned long long b; _Bool c;"),
            new Row("record Camel(int firstSeen, long lastSeen)", "camel", "int first_seen; long long last_seen;"));

    @TempDir
    Path work;

    @Test
    void processorRuntimeAndClangAgree() throws Exception {
        Path object = compileC(work);
        Compiler.Result r = Compiler.compile(work, javaSources(), "-Abpfkit.objectDir=" + work);
        // the processor compared every record with clang's BTF while compiling (BindingCheck)
        assertTrue(r.success(), r::describe);
        BpfObjectSpec spec = BpfObjects.open(object);
        Btf btf = spec.btf().orElseThrow();
        ClassLoader loader = r.loader();
        Class<?> binding = loader.loadClass("t.LayoutsBinding");
        for (Row row : TABLE) {
            String where = row.name();
            @SuppressWarnings("unchecked")
            Class<? extends Record> type = (Class<? extends Record>) loader.loadClass("t." + row.name());
            CType.Struct generated = (CType.Struct) field(binding, row.name() + "Codec", "TYPE");
            RecordCodec<? extends Record> runtime = RecordCodec.of(type);
            assertEquals(generated, runtime.ctype(), where + ": processor and runtime");
            int typeId = BindingCheck.variable(spec, global(row)).typeId();
            assertSameAsC(where, runtime.ctype(), btf, typeId);
            assertNull(BindingCheck.mismatch(where, runtime.ctype(), where, btf, typeId), where);
            assertEquals(btf.resolveSize(typeId), runtime.layout().byteSize(), where + ": layout size");
            @SuppressWarnings("unchecked")
            Codec<Record> generatedCodec = (Codec<Record>) field(binding, row.name() + "Codec", "INSTANCE");
            @SuppressWarnings("unchecked")
            Codec<Record> runtimeCodec = (Codec<Record>) (Codec<?>) runtime;
            assertSameBytes(where, sample(type, runtime.ctype(), new int[] {1}), generatedCodec, runtimeCodec);
        }
    }

    /** Size and every member's offset and size, nested structs and array elements included, from clang's BTF. */
    private static void assertSameAsC(String where, CType java, Btf btf, int typeId) {
        int id = btf.skipModifiersAndTypedefs(typeId);
        assertEquals(btf.resolveSize(id), java.size(), where + ": sizeof");
        switch (java) {
            case CType.Struct s -> {
                BtfType.Struct c = (BtfType.Struct) btf.type(id);
                assertEquals(c.members().size(), s.members().size(), where + ": members");
                if (s.cName() != null) {
                    assertEquals(c.name(), s.cName(), where + ": @CStruct name");
                }
                for (int i = 0; i < c.members().size(); i++) {
                    BtfType.Member cm = c.members().get(i);
                    CType.Member jm = s.members().get(i);
                    assertEquals(cm.name(), BindingCheck.snake(jm.name()), where + ": member " + i);
                    assertEquals(cm.bitOffset() / 8, jm.offset(), where + "." + jm.name() + ": offsetof");
                    assertSameAsC(where + "." + jm.name(), jm.type(), btf, cm.type());
                }
            }
            case CType.Array a -> assertSameAsC(where + "[]", a.element(), btf,
                    ((BtfType.Array) btf.type(id)).type());
            case CType.Int i when i.bytes() > 1 || i.unsigned() -> // a plain C char may stand for either
                    assertEquals(!i.unsigned(), ((BtfType.Int) btf.type(id)).isSigned(), where + ": signedness");
            default -> {
            }
        }
    }

    /** Both codecs write the same bytes, padding zeroed over garbage, and each reads the other's. */
    private static void assertSameBytes(String where, Record value, Codec<Record> generated, Codec<Record> runtime) {
        try (Arena arena = Arena.ofConfined()) {
            long size = runtime.size();
            assertEquals(size, generated.size(), where + ": codec sizes");
            MemorySegment a = arena.allocate(size + 3).fill((byte) 0x5a);
            MemorySegment b = arena.allocate(size + 3).fill((byte) 0xa5);
            generated.encode(value, a, 3); // unaligned: members of per-CPU and packed data may be
            runtime.encode(value, b, 3);
            byte[] bytes = a.asSlice(3).toArray(ValueLayout.JAVA_BYTE);
            assertArrayEquals(bytes, b.asSlice(3).toArray(ValueLayout.JAVA_BYTE), where + ": bytes");
            // records with array components compare arrays by identity: compare what they encode to
            Record fromRuntimeBytes = generated.decode(b, 3);
            Record fromGeneratedBytes = runtime.decode(a, 3);
            runtime.encode(fromRuntimeBytes, b, 3);
            generated.encode(fromGeneratedBytes, a, 3);
            assertArrayEquals(bytes, b.asSlice(3).toArray(ValueLayout.JAVA_BYTE), where + ": generated decode");
            assertArrayEquals(bytes, a.asSlice(3).toArray(ValueLayout.JAVA_BYTE), where + ": runtime decode");
            assertEquals(value.toString().replaceAll("@[0-9a-f]+", ""),
                    fromRuntimeBytes.toString().replaceAll("@[0-9a-f]+", ""), where);
        }
    }

    /** A value of {@code type} with a distinct value in every member, strings and arrays filled. */
    private static Record sample(Class<?> type, CType.Struct struct, int[] next) throws Exception {
        RecordComponent[] comps = type.getRecordComponents();
        Object[] args = new Object[comps.length];
        Class<?>[] types = new Class<?>[comps.length];
        for (int i = 0; i < comps.length; i++) {
            types[i] = comps[i].getType();
            args[i] = sample(types[i], struct.members().get(i).type(), next);
        }
        return (Record) type.getDeclaredConstructor(types).newInstance(args);
    }

    private static Object sample(Class<?> t, CType c, int[] next) throws Exception {
        int n = next[0]++;
        return switch (c) {
            case CType.Struct s -> sample(t, s, next);
            case CType.Chars ch -> "abcdefghijklmnopqrstuvwxyz".substring(0, ch.length() - 1);
            case CType.Array a -> {
                Object array = Array.newInstance(t.getComponentType(), a.length());
                for (int i = 0; i < a.length(); i++) {
                    Array.set(array, i, sample(t.getComponentType(), a.element(), next));
                }
                yield array;
            }
            default -> {
                Class<?> p = java.lang.invoke.MethodType.methodType(t).unwrap().returnType();
                long bits = -0x0102030405060708L * n;
                if (p == boolean.class) {
                    yield n % 2 == 0;
                } else if (p == byte.class) {
                    yield (byte) bits;
                } else if (p == short.class) {
                    yield (short) bits;
                } else if (p == int.class) {
                    yield (int) bits;
                } else if (p == long.class) {
                    yield bits;
                } else if (p == float.class) {
                    yield n + 0.5f;
                }
                yield n - 0.25;
            }
        };
    }

    private static Object field(Class<?> binding, String nested, String name) throws ReflectiveOperationException {
        Class<?> codec = Class.forName(binding.getName() + "$" + nested, true, binding.getClassLoader());
        Field f = codec.getDeclaredField(name);
        f.setAccessible(true);
        return f.get(null);
    }

    private static String global(Row row) {
        return "g_" + row.cStruct();
    }

    /** The records, one file each, and a binding with one global of each ({@code g_<struct>}). */
    private static Map<String, String> javaSources() {
        Map<String, String> sources = new LinkedHashMap<>();
        StringBuilder binding = new StringBuilder(BindingProcessorTest.HEADER)
                .append("@BpfObject(\"layouts.bpf.o\")\npublic interface Layouts extends AutoCloseable {\n");
        for (Row row : TABLE) {
            sources.put("t/" + row.name() + ".java", BindingProcessorTest.HEADER + row.declaration().replace("record ",
                    "public record ") + " {}\n");
            binding.append("    @Global(\"").append(global(row)).append("\") ").append(row.name()).append(' ')
                    .append(Character.toLowerCase(row.name().charAt(0))).append(row.name().substring(1))
                    .append("();\n");
        }
        sources.put("t/Layouts.java", binding.append("    @Override void close();\n}\n").toString());
        return sources;
    }

    /** The table's structs, one global each so clang writes them into BTF, compiled for BPF. */
    private static Path compileC(Path work) throws IOException, InterruptedException {
        StringBuilder c = new StringBuilder("/* The C side of RecordLayoutTableTest. */\n");
        for (Row row : TABLE) {
            c.append("struct ").append(row.cStruct()).append(" { ").append(row.cBody()).append(" };\n")
                    .append("struct ").append(row.cStruct()).append(' ').append(global(row)).append(";\n");
        }
        Path source = work.resolve("layouts.bpf.c");
        Files.writeString(source, c);
        Path object = work.resolve("layouts.bpf.o");
        // no skip: this module's build compiles its test objects with clang already (build-bpf.sh)
        Path clang = clang().orElseThrow(() -> new AssertionError("clang is not installed (Debian: apt-get install "
                + "clang-19)"));
        Process p = new ProcessBuilder(clang.toString(), "-target", "bpf", "-g", "-O2", "-c", source.toString(), "-o",
                object.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "clang failed:\n" + out);
        return object;
    }

    private static Optional<Path> clang() {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of("clang-19", "clang").flatMap(name -> Stream.of(path.split(File.pathSeparator))
                .map(dir -> Path.of(dir, name))).filter(Files::isExecutable).findFirst();
    }
}
