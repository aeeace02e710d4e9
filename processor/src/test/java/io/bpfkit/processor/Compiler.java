package io.bpfkit.processor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Runs javac with the binding processor over sources held in strings, as a user's build would
 * (the test class path as class path and processor path, {@code -Xlint:all -Werror}, less
 * {@code -Xlint:processing}: bpfkit leaves its annotations unclaimed for other processors, as
 * AutoValue and Dagger do, and javac's processing lint warns of every unclaimed annotation).
 */
final class Compiler {
    /** What one compilation gave: success, diagnostics, and where its output went. */
    record Result(boolean success, List<Diagnostic<? extends JavaFileObject>> diagnostics, Path classes,
                  Path generated, Map<String, String> sources) {

        List<Diagnostic<? extends JavaFileObject>> errors() {
            return diagnostics.stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR).toList();
        }

        List<Diagnostic<? extends JavaFileObject>> notes() {
            return diagnostics.stream().filter(d -> d.getKind() == Diagnostic.Kind.NOTE).toList();
        }

        /** The text of a generated source, e.g. {@code t/FlowsBinding.java}. */
        String generated(String path) {
            try {
                return Files.readString(generated.resolve(path));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The only error; fails listing all diagnostics when there is not exactly one. */
        Diagnostic<? extends JavaFileObject> onlyError() {
            if (errors().size() != 1) {
                throw new AssertionError("expected one error, got:\n" + describe());
            }
            return errors().getFirst();
        }

        /** The source text a diagnostic points at (its start to end position). */
        String pointedAt(Diagnostic<? extends JavaFileObject> d) {
            try {
                String text = d.getSource().getCharContent(true).toString();
                return text.substring((int) d.getStartPosition(), (int) d.getEndPosition());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The source line of a diagnostic. */
        String line(Diagnostic<? extends JavaFileObject> d) {
            try {
                return d.getSource().getCharContent(true).toString().lines().toList()
                        .get((int) d.getLineNumber() - 1).strip();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String describe() {
            return diagnostics.stream().map(d -> d.getKind() + " line " + d.getLineNumber() + ": "
                    + d.getMessage(Locale.ROOT)).collect(Collectors.joining("\n"));
        }

        /** A class loader over the compiled classes and the test class path. */
        ClassLoader loader() {
            try {
                return new URLClassLoader(new URL[] {classes.toUri().toURL()}, Compiler.class.getClassLoader());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private Compiler() {
    }

    /**
     * Compiles {@code sources} (file name to text, e.g. {@code t/Flows.java}) into a fresh
     * folder under {@code work}.
     */
    static Result compile(Path work, Map<String, String> sources, String... options) {
        return compile(work, sources, List.of(BindingProcessor.class.getName()), options);
    }

    /** As {@link #compile(Path, Map, String...)}, with these processors in this order. */
    static Result compile(Path work, Map<String, String> sources, List<String> processors, String... options) {
        try {
            Path classes = Files.createDirectories(work.resolve("classes-" + System.nanoTime()));
            Path generated = Files.createDirectories(work.resolve("generated-" + System.nanoTime()));
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
            List<JavaFileObject> units = new ArrayList<>();
            sources.forEach((name, text) -> units.add(new Source(name, text)));
            String cp = System.getProperty("java.class.path");
            List<String> args = new ArrayList<>(List.of("--release", "25", "-Xlint:all,-processing", "-Werror", "-proc:full",
                    "-classpath", cp, "-processorpath", cp, "-processor", String.join(",", processors),
                    "-d", classes.toString(), "-s", generated.toString()));
            args.addAll(List.of(options));
            try (StandardJavaFileManager fm = javac.getStandardFileManager(diags, Locale.ROOT, null)) {
                boolean ok = javac.getTask(null, fm, diags, args, null, units).call();
                return new Result(ok, diags.getDiagnostics(), classes, generated, sources);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every file under {@code dir}, relative, sorted. */
    static List<String> files(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final class Source extends SimpleJavaFileObject {
        private final String text;

        Source(String name, String text) {
            super(URI.create("string:///" + name), Kind.SOURCE);
            this.text = text;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return text;
        }
    }
}
