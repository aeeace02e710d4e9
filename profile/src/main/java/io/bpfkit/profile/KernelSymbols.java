package io.bpfkit.profile;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The kernel's text symbols from {@code /proc/kallsyms} ({@code address type name [module]}),
 * sorted for lookup. Addresses read as 0 when {@code kptr_restrict} hides them from this user:
 * then {@link #hidden()} is true and nothing resolves.
 */
final class KernelSymbols {
    static final Path KALLSYMS = Path.of("/proc/kallsyms");

    private final long[] addresses;
    private final String[] names;
    private final boolean hidden;

    private KernelSymbols(long[] addresses, String[] names, boolean hidden) {
        this.addresses = addresses;
        this.names = names;
        this.hidden = hidden;
    }

    static KernelSymbols read(Path kallsyms) throws IOException {
        long[] addr = new long[1 << 18];
        String[] name = new String[addr.length];
        int n = 0;
        boolean anyNonZero = false;
        try (BufferedReader r = Files.newBufferedReader(kallsyms, StandardCharsets.UTF_8)) {
            for (String line; (line = r.readLine()) != null; ) {
                int a = line.indexOf(' ');
                if (a != 16 || line.length() < 20) {
                    continue;
                }
                char type = line.charAt(17);
                if (type != 't' && type != 'T' && type != 'w' && type != 'W') {
                    continue; // data symbols never hold an instruction pointer
                }
                long address = Long.parseUnsignedLong(line, 0, 16, 16);
                anyNonZero |= address != 0;
                String rest = line.substring(19);
                int tab = rest.indexOf('\t');
                // "name\t[module]": the module name joins the symbol in brackets, as perf prints it
                String symbol = tab < 0 ? rest : rest.substring(0, tab) + " " + rest.substring(tab + 1).strip();
                if (n == addr.length) {
                    addr = Arrays.copyOf(addr, n * 2);
                    name = Arrays.copyOf(name, n * 2);
                }
                addr[n] = address;
                name[n] = symbol;
                n++;
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        long[] fa = addr;
        Arrays.sort(order, (x, y) -> Long.compareUnsigned(fa[x], fa[y]));
        long[] sortedAddr = new long[n];
        String[] sortedName = new String[n];
        for (int i = 0; i < n; i++) {
            sortedAddr[i] = addr[order[i]];
            sortedName[i] = name[order[i]];
        }
        return new KernelSymbols(sortedAddr, sortedName, n > 0 && !anyNonZero);
    }

    /** True when every address read as 0 (kptr_restrict, or not root). */
    boolean hidden() {
        return hidden;
    }

    int size() {
        return names.length;
    }

    /** The symbol at or below {@code address}, or null below the first one or when hidden. */
    String lookup(long address) {
        if (hidden) {
            return null;
        }
        int floor = SortedAddresses.floor(addresses, address);
        return floor < 0 ? null : names[floor];
    }
}
