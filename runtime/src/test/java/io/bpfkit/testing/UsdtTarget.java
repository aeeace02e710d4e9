package io.bpfkit.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * src/test/c/usdt_target.c built by gcc with {@code <sys/sdt.h>} (Debian systemtap-sdt-dev,
 * installed by scripts/env.sh): the USDT tests' probe binary. {@code run(n)} runs n rounds, each
 * firing every probe once.
 */
public final class UsdtTarget {
    private static Path built;

    private UsdtTarget() {
    }

    /** The binary, built once per JVM. */
    public static synchronized Path path() {
        if (built == null) {
            Path gcc = Tools.find("gcc", "cc");
            Tools.assumePresent(gcc != null, "gcc is not installed (Debian: apt-get install gcc)");
            try {
                Path dir = Files.createTempDirectory("bpfkit-usdt");
                Path exe = dir.resolve("usdt_target");
                Tools.Result r = Tools.run(60, gcc.toString(), "-O2", "-Wall", "-Werror", "-o", exe.toString(),
                        Path.of("src", "test", "c", "usdt_target.c").toString());
                Tools.assumePresent(!r.stderr().contains("sys/sdt.h"), "<sys/sdt.h> is missing (Debian: "
                        + "apt-get install systemtap-sdt-dev; scripts/env.sh installs it)");
                if (r.exitCode() != 0) {
                    throw new IllegalStateException("building " + exe + " failed:\n" + r.stderr());
                }
                exe.toFile().deleteOnExit();
                dir.toFile().deleteOnExit();
                built = exe;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return built;
    }

    /** Runs the target for {@code rounds} rounds and waits for it. */
    public static void run(int rounds) {
        Tools.Result r = Tools.run(60, path().toString(), Integer.toString(rounds));
        if (r.exitCode() != 0) {
            throw new IllegalStateException("usdt_target exited with " + r.exitCode() + ": " + r.stderr());
        }
    }
}
