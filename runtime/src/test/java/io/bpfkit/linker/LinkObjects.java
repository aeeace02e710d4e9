package io.bpfkit.linker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The static linker's test inputs (src/test/bpf-link), built by clang into bpfkit.linkObjects. */
public final class LinkObjects {
    private LinkObjects() {
    }

    public static Path path(String name) {
        String dir = System.getProperty("bpfkit.linkObjects", "target/test-bpf-link");
        Path p = Path.of(dir, name);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(p + " is missing: the build makes it from src/test/bpf-link");
        }
        return p;
    }

    public static List<BpfLinker.Input> inputs(String... names) {
        List<BpfLinker.Input> list = new ArrayList<>();
        for (String n : names) {
            try {
                list.add(new BpfLinker.Input(n, Files.readAllBytes(path(n))));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return list;
    }
}
