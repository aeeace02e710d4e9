package io.bpfkit.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * src/test/c/uprobe_target.c built by gcc into a shared library, loaded into this JVM, its
 * functions callable: the uprobe tests' own native functions.
 */
@SuppressWarnings("restricted") // loads and calls the test library
public final class TargetLibrary {
    public static final String FILE_NAME = "libbpfkit_uprobe_target.so";
    private static TargetLibrary instance;

    private final Path path;
    private final MethodHandle add;
    private final MethodHandle mul;

    private TargetLibrary(Path path) {
        this.path = path;
        SymbolLookup lib = SymbolLookup.libraryLookup(path, Arena.global());
        FunctionDescriptor ii = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
        this.add = Linker.nativeLinker().downcallHandle(lib.find("bpfkit_add").orElseThrow(), ii);
        this.mul = Linker.nativeLinker().downcallHandle(lib.find("bpfkit_mul").orElseThrow(), ii);
    }

    /** Builds (once per JVM) and loads the library. */
    public static synchronized TargetLibrary get() {
        if (instance == null) {
            Path gcc = Tools.find("gcc", "cc");
            if (gcc == null) {
                throw new IllegalStateException("gcc is needed to build the uprobe target library");
            }
            try {
                Path dir = Files.createTempDirectory("bpfkit-uprobe");
                Path so = dir.resolve(FILE_NAME);
                Tools.Result r = Tools.run(60, gcc.toString(), "-shared", "-fPIC", "-O2", "-o", so.toString(),
                        Path.of("src", "test", "c", "uprobe_target.c").toString());
                if (r.exitCode() != 0) {
                    throw new IllegalStateException("building " + so + " failed:\n" + r.stderr());
                }
                so.toFile().deleteOnExit();
                dir.toFile().deleteOnExit();
                instance = new TargetLibrary(so);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    public Path path() {
        return path;
    }

    public int add(int a, int b) {
        try {
            return (int) add.invokeExact(a, b);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public int mul(int a, int b) {
        try {
            return (int) mul.invokeExact(a, b);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
