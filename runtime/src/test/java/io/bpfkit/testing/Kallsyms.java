package io.bpfkit.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * {@code /proc/kallsyms} read by the tests themselves, so that what a test expects of a ksym
 * does not come from the resolver it checks. Only core-kernel symbols (no {@code [module]}).
 */
public final class Kallsyms {
    private static final Path FILE = Path.of("/proc/kallsyms");

    private Kallsyms() {
    }

    /** One line: {@code ffffffff81234560 T schedule}. */
    public record Symbol(long address, char type, String name) {
        /** Text (function) symbols: {@code t} or {@code T}. */
        public boolean isText() {
            return type == 't' || type == 'T';
        }
    }

    /** Every core-kernel symbol whose name {@code wanted} accepts, in file order. */
    public static List<Symbol> find(Predicate<String> wanted) {
        List<Symbol> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(FILE, StandardCharsets.US_ASCII)) {
            String line;
            while ((line = r.readLine()) != null) {
                String[] f = line.split("[ \t]+");
                if (f.length != 3 || !wanted.test(f[2])) {
                    continue; // a module symbol has a fourth field
                }
                out.add(new Symbol(Long.parseUnsignedLong(f[0], 16), f[1].charAt(0), f[2]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + FILE, e);
        }
        return out;
    }

    /** The one core-kernel symbol called {@code name}; fails if there are none or several. */
    public static Symbol only(String name) {
        List<Symbol> all = find(name::equals);
        if (all.size() != 1) {
            throw new AssertionError(FILE + " has " + all.size() + " symbols called " + name + ": " + all);
        }
        return all.get(0);
    }
}
