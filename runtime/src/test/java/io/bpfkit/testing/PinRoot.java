package io.bpfkit.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A directory of this test run's own under {@code /sys/fs/bpf}, emptied and removed on close.
 * Any test that loads an object with maps pinned by name ({@code LIBBPF_PIN_BY_NAME}) loads it
 * under one of these: the default root would leave the pin behind in the shared bpffs, where
 * the next load (another test, a benchmark, libbpf) silently reuses it.
 *
 * <pre>{@code
 * try (PinRoot pins = PinRoot.create("loader")) {
 *     BpfLoader.load(spec, LoadOptions.defaults().withPinRoot(pins.path()));
 * }
 * }</pre>
 */
public final class PinRoot implements AutoCloseable {
    private final Path path;

    private PinRoot(Path path) {
        this.path = path;
    }

    /** Creates {@code /sys/fs/bpf/bpfkit-<purpose>-<pid>}. */
    public static PinRoot create(String purpose) {
        try {
            return new PinRoot(Files.createDirectories(
                    Path.of("/sys/fs/bpf", "bpfkit-" + purpose + "-" + ProcessHandle.current().pid())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        try {
            if (Files.exists(path)) {
                try (Stream<Path> s = Files.list(path)) {
                    for (Path p : s.toList()) {
                        Files.delete(p);
                    }
                }
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("removing the test pins under " + path, e);
        }
    }
}
