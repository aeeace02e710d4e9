package io.bpfkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.check.BindingCheck;
import io.bpfkit.check.CType;
import io.bpfkit.check.Declared;
import io.bpfkit.testing.TestObjects;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bpfkit gen} held to the annotation processor: the interfaces it writes for every object
 * the project builds before this module (the runtime's, the processor's and the examples' test
 * objects, the examples) and for the 61 objects of bcc's
 * libbpf-tools as Debian ships them compile with the processor checking them against the same
 * objects, with no error and no warning ({@code -Xlint:all -Werror}), in one javac run. For the
 * examples, what the generated interface declares is what the hand-written one does.
 */
class GenCommandTest {
    /** By name: its class names auto-service's annotation, which is not on the test class path. */
    private static final String PROCESSOR = "io.bpfkit.processor.BindingProcessor";
    /** Example object, the hand-written interface's binding. */
    private static final Map<String, String> EXAMPLES = Map.of(
            "hello.bpf.o", "io.bpfkit.examples.HelloBinding",
            "syscount.bpf.o", "io.bpfkit.examples.SysCountBinding",
            "execsnoop.bpf.o", "io.bpfkit.examples.execsnoop.ExecProbeBinding",
            "syslat.bpf.o", "io.bpfkit.examples.syslat.SysLatProbeBinding",
            "top.bpf.o", "io.bpfkit.examples.top.TopProbeBinding",
            "xdpcount.bpf.o", "io.bpfkit.examples.xdpcount.XdpCountProbeBinding",
            "uprobecount.bpf.o", "io.bpfkit.examples.uprobe.CallProbeBinding");

    /** Objects the processor's and the examples' tests build, under the project's root. */
    private static final List<String> TEST_OBJECTS = List.of("processor/target/test-bpf/binding.bpf.o",
            "examples/target/test-bpf/commands.bpf.o", "examples/target/test-bpf/nested.bpf.o");

    @TempDir
    static Path work;
    private static Path sources;
    private static Path objects;
    private static Path classes;
    /** Package of each generated interface, by set and object file name. */
    private static final Map<String, String> packages = new LinkedHashMap<>();
    private static List<Diagnostic<? extends JavaFileObject>> diagnostics;
    private static boolean compiled;
    private static final List<String> notes = new ArrayList<>();

    @BeforeAll
    static void generateAndCompile() throws Exception {
        sources = Files.createDirectories(work.resolve("src"));
        objects = Files.createDirectories(work.resolve("objects"));
        classes = Files.createDirectories(work.resolve("classes"));
        for (Path o : TestObjects.all()) {
            generate("runtime", o.getFileName().toString(), Files.readAllBytes(o));
        }
        for (String name : EXAMPLES.keySet()) {
            try (InputStream in = GenCommandTest.class.getResourceAsStream("/io/bpfkit/examples/" + name)) {
                assertNotNull(in, "example object " + name + " on the class path");
                generate("examples", name, in.readAllBytes());
            }
        }
        // the other modules' test objects: the processor's and the examples' binding tests
        Path root = Path.of(System.getProperty("bpfkit.root"));
        for (String o : TEST_OBJECTS) {
            Path object = root.resolve(o);
            assertTrue(Files.exists(object), object + " is missing: build its module first");
            generate("tests", object.getFileName().toString(), Files.readAllBytes(object));
        }
        for (Path o : libbpfTools()) {
            generate("libbpftools", o.getFileName().toString(), Files.readAllBytes(o));
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(sources)) {
            files = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
        String cp = System.getProperty("java.class.path");
        List<String> args = List.of("--release", "25", "-Xlint:all,-processing", "-Werror", "-proc:full",
                "-classpath", cp, "-processorpath", cp, "-processor", PROCESSOR,
                "-Abpfkit.objectDir=" + objects, "-d", classes.toString(),
                "-s", Files.createDirectories(work.resolve("generated")).toString());
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diags, Locale.ROOT, StandardCharsets.UTF_8)) {
            compiled = javac.getTask(null, fm, diags, args, null, fm.getJavaFileObjectsFromPaths(files)).call();
        }
        diagnostics = diags.getDiagnostics();
    }

    /** Runs {@code bpfkit gen} on one object into its own package, the object beside it for the processor. */
    private static void generate(String set, String file, byte[] bytes) throws IOException {
        String pkg = "gen." + set + "." + file.replaceFirst("(\\.bpf)?(eb)?\\.o$", "$2").replaceAll("[^A-Za-z0-9]", "_")
                .toLowerCase(Locale.ROOT);
        Path dir = Files.createDirectories(objects.resolve(pkg.replace('.', '/')));
        Path object = dir.resolve(file);
        Files.write(object, bytes);
        MainTest.Run r = MainTest.run("gen", object.toString(), "--package", pkg, "-o", sources.toString());
        assertEquals(0, r.exit(), file + ": " + r.err());
        r.err().lines().filter(l -> !l.contains(": wrote ")).forEach(notes::add);
        packages.put(set + "/" + file, pkg);
    }

    private static List<Path> libbpfTools() throws Exception {
        Path root = Path.of(System.getProperty("bpfkit.root"));
        Process p = new ProcessBuilder(root.resolve("scripts/libbpf-tools").toString(), "--print-dir")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String dir = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor(), "scripts/libbpf-tools --print-dir");
        try (Stream<Path> s = Files.list(Path.of(dir))) {
            return s.filter(x -> x.toString().endsWith(".o")).sorted().toList();
        }
    }

    @Test
    void everyGeneratedInterfaceCompilesWithTheProcessor() {
        String errors = diagnostics.stream().filter(d -> d.getKind() != Diagnostic.Kind.NOTE)
                .map(d -> d.getKind() + " " + (d.getSource() == null ? "" : d.getSource().getName()) + ":"
                        + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT))
                .collect(Collectors.joining("\n"));
        assertTrue(compiled && errors.isEmpty(), errors);
        // the processor found each object and checked it: no "object not found" note
        List<String> unchecked = diagnostics.stream().map(d -> d.getMessage(Locale.ROOT))
                .filter(m -> m.contains("not found while compiling")).toList();
        assertEquals(List.of(), unchecked);
        assertTrue(packages.size() >= TestObjects.all().size() + EXAMPLES.size() + TEST_OBJECTS.size() + 61,
                packages.keySet()::toString);
    }

    @Test
    void theExamplesDeclareWhatTheirHandWrittenInterfacesDo() throws Exception {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                GenCommandTest.class.getClassLoader())) {
            for (var e : EXAMPLES.entrySet()) {
                String pkg = packages.get("examples/" + e.getKey());
                String iface = io.bpfkit.gen.BindingGenerator.interfaceName(e.getKey());
                List<Declared> generated = declared(loader.loadClass(pkg + "." + iface + "Binding"));
                List<Declared> written = declared(Class.forName(e.getValue()));
                Set<String> gen = normalize(generated);
                Set<String> hand = normalize(written);
                // programs: the same; every hand-written map, counter and global is generated, alike
                assertEquals(only(hand, "program "), only(gen, "program "), e.getKey());
                for (String g : hand) {
                    assertTrue(gen.contains(g), e.getKey() + ": hand-written " + g + " not generated; generated "
                            + gen);
                }
            }
        }
    }

    @Test
    void aStrippedObjectSaysWhatIsMissingAndStillWritesWhatItCan() throws Exception {
        Path stripped = withoutBtf("maps_legacy.bpf.o");
        MainTest.Run r = MainTest.run("gen", stripped.toString(), "--package", "s", "-o", "-");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("the object has no BTF"), r.err());
        assertTrue(r.err().contains("typed by their sizes alone"), r.err());
        assertTrue(r.out().contains("@Map(\""), r.out());
        assertTrue(r.out().contains("BpfProgram countLegacy();"), r.out());
        assertTrue(r.out().contains("@Size(16) byte[]"), r.out());
    }

    @Test
    void anObjectWithBtfMapsAndNoBtfStillGetsItsPrograms() throws Exception {
        Path stripped = withoutBtf("maps_btf.bpf.o");
        MainTest.Run r = MainTest.run("gen", stripped.toString(), "--package", "s", "-o", "-");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("the object has no BTF") && r.err().contains("only its programs are written"),
                r.err());
        assertTrue(r.err().contains("map 'hash_typed': a BTF-defined map, whose type, key and value only BTF holds"),
                r.err());
        assertTrue(r.out().contains("BpfProgram useMaps();"), r.out());
    }

    @Test
    void badArgumentsAndFilesAreRefusedWithTheReason() throws Exception {
        assertEquals(Main.USAGE, MainTest.run("gen").exit());
        assertEquals(Main.USAGE, MainTest.run("gen", "x.o", "--package", "not a package").exit());
        Path junk = Files.writeString(work.resolve("junk.o"), "not an ELF file");
        MainTest.Run r = MainTest.run("gen", junk.toString());
        assertEquals(Main.FAILED, r.exit());
        assertTrue(r.err().contains("junk.o"), r.err());
        MainTest.Run missing = MainTest.run("gen", work.resolve("absent.o").toString());
        assertEquals(Main.FAILED, missing.exit());
        assertTrue(missing.err().contains("absent.o"), missing.err());
    }

    private static Set<String> only(Set<String> all, String prefix) {
        return all.stream().filter(x -> x.startsWith(prefix)).collect(Collectors.toCollection(TreeSet::new));
    }

    @SuppressWarnings("unchecked")
    private static List<Declared> declared(Class<?> binding) throws ReflectiveOperationException {
        Field f = binding.getDeclaredField("DECLARED");
        f.setAccessible(true);
        return (List<Declared>) f.get(null);
    }

    /** What a declaration binds, without the Java names: element, object name, handle, C types. */
    private static Set<String> normalize(List<Declared> declared) {
        Set<String> out = new TreeSet<>();
        for (Declared d : declared) {
            out.add(switch (d) {
                case Declared.MapHandle m -> "map " + m.map() + " " + m.kind() + " " + c(m.key()) + " " + c(m.value())
                        + (m.inner() == null ? "" : " inner " + m.inner().kind() + " " + c(m.inner().key()) + " "
                        + c(m.inner().value()));
                case Declared.Program p -> "program " + p.program() + " autoAttach=" + p.autoAttach();
                case Declared.Global g -> "global " + g.variable() + (g.setter() ? " set " : " get ") + c(g.type());
                case Declared.Pmu p -> "pmu " + p.map() + " " + p.counter() + " " + p.event() + " " + p.fallback();
            });
        }
        return out;
    }

    private static String c(CType t) {
        return switch (t) {
            case null -> "-";
            case CType.Struct s -> "{" + s.members().stream().map(m -> BindingCheck.snake(m.name()) + "@" + m.offset()
                    + ":" + c(m.type())).collect(Collectors.joining(",")) + "}";
            // char[N] as a String or as bytes (execsnoop's args: NUL-separated strings) is one layout
            case CType.Array a when a.element().size() == 1 -> "bytes[" + a.length() + "]";
            case CType.Chars x -> "bytes[" + x.length() + "]";
            case CType.Array a -> c(a.element()) + "[" + a.length() + "]";
            default -> t.spelling();
        };
    }

    /** A copy of test object {@code name} without .BTF and .BTF.ext, as a stripped build leaves it. */
    private static Path withoutBtf(String name) throws Exception {
        Path stripped = Files.createDirectories(work.resolve("stripped")).resolve(name);
        Path tool = Stream.of("llvm-objcopy-19", "llvm-objcopy", "objcopy").map(GenCommandTest::onPath)
                .filter(java.util.Objects::nonNull).findFirst().orElseThrow();
        Process p = new ProcessBuilder(tool.toString(), "--remove-section=.BTF", "--remove-section=.BTF.ext",
                TestObjects.path(name).toString(), stripped.toString()).inheritIO().start();
        assertEquals(0, p.waitFor(), tool + " on " + name);
        return stripped;
    }

    private static Path onPath(String name) {
        for (String d : System.getenv("PATH").split(":")) {
            if (Files.isExecutable(Path.of(d, name))) {
                return Path.of(d, name);
            }
        }
        return null;
    }
}
