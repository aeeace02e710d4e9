package io.bpfkit.load;

import io.bpfkit.api.BpfException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * The running kernel's build configuration, as libbpf finds it for {@code .kconfig} externs:
 * {@code /boot/config-$(uname -r)} first, then {@code /proc/config.gz} (either may be
 * gzipped), and its version code for {@code LINUX_KERNEL_VERSION}.
 *
 * <pre>{@code
 * KernelConfig cfg = KernelConfig.running().orElseThrow();
 * String hz = cfg.value("CONFIG_HZ");            // "250"
 * }</pre>
 */
public final class KernelConfig {
    private static final Path OSRELEASE = Path.of("/proc/sys/kernel/osrelease");
    private static final Path VERSION = Path.of("/proc/sys/kernel/version");
    private static final Path PROC_CONFIG = Path.of("/proc/config.gz");
    /** The running kernel's config and version code once read; null and 0 until then. */
    private static volatile Optional<KernelConfig> running;
    private static volatile int versionCode;

    private final Path source;
    private final Map<String, String> values;

    private KernelConfig(Path source, Map<String, String> values) {
        this.source = source;
        this.values = values;
    }

    /**
     * Parses config text: {@code CONFIG_NAME=value} lines; comments ({@code # CONFIG_X is not
     * set}) and blank lines are skipped, as libbpf skips them.
     *
     * @throws BpfException naming the line when a CONFIG_ line has no {@code =} or no value
     */
    public static KernelConfig parse(Path source, String text) {
        Map<String, String> values = new HashMap<>();
        int lineNo = 0;
        for (String line : text.split("\n")) {
            lineNo++;
            if (!line.startsWith("CONFIG_")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0 || eq == line.length() - 1) {
                throw new BpfException(source + ":" + lineNo + ": '" + line + "' has no " + (eq < 0 ? "'='" : "value"));
            }
            values.putIfAbsent(line.substring(0, eq), line.substring(eq + 1));
        }
        return new KernelConfig(source, Map.copyOf(values));
    }

    /**
     * The running kernel's config, or empty when neither file exists. Read once per process:
     * the running kernel's config cannot change under it, and unpacking /proc/config.gz at every
     * load would cost more than the rest of a small object's load.
     */
    public static Optional<KernelConfig> running() {
        Optional<KernelConfig> c = running;
        if (c == null) {
            c = readRunning();
            running = c;
        }
        return c;
    }

    private static Optional<KernelConfig> readRunning() {
        for (Path p : new Path[] {Path.of("/boot/config-" + release()), PROC_CONFIG}) {
            try {
                return Optional.of(parse(p, read(p)));
            } catch (NoSuchFileException e) {
                // try the next place
            } catch (IOException e) {
                throw new BpfException("cannot read kernel config " + p + ": " + e.getMessage(), e);
            }
        }
        return Optional.empty();
    }

    /** Where the running kernel's config is looked for, for messages. */
    static String places() {
        return "/boot/config-" + release() + " or " + PROC_CONFIG;
    }

    private static String read(Path p) throws IOException {
        byte[] raw = Files.readAllBytes(p);
        if (raw.length >= 2 && (raw[0] & 0xff) == 0x1f && (raw[1] & 0xff) == 0x8b) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
                raw = in.readAllBytes();
            }
        }
        return new String(raw, StandardCharsets.UTF_8);
    }

    /** The file this config came from. */
    public Path source() {
        return source;
    }

    /** The raw value of {@code CONFIG_NAME} ({@code y}, {@code m}, {@code 250}, {@code "text"}), or null. */
    public String value(String name) {
        return values.get(name);
    }

    /** Every option that is set. */
    public Map<String, String> values() {
        return values;
    }

    /** {@code uname -r}. */
    static String release() {
        try {
            return Files.readString(OSRELEASE).strip();
        } catch (IOException e) {
            throw new BpfException("cannot read " + OSRELEASE + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code LINUX_VERSION_CODE} of the running kernel as libbpf computes it: from Ubuntu's
     * {@code /proc/version_signature}, Debian's "Debian X.Y.Z" in {@code uname -v}, else
     * {@code uname -r}; the patch level saturates at 255.
     */
    public static int versionCode() {
        int v = versionCode;
        if (v == 0) {
            v = runningVersionCode();
            versionCode = v;
        }
        return v;
    }

    private static int runningVersionCode() {
        try {
            Path ubuntu = Path.of("/proc/version_signature");
            if (Files.isReadable(ubuntu)) {
                String[] f = Files.readString(ubuntu).strip().split("\\s+");
                int v = f.length >= 3 ? versionCode(f[2]) : 0;
                if (v != 0) {
                    return v;
                }
            }
            String version = Files.exists(VERSION) ? Files.readString(VERSION) : "";
            int debian = version.indexOf("Debian ");
            if (debian >= 0) {
                int v = versionCode(version.substring(debian + 7));
                if (v != 0) {
                    return v;
                }
            }
        } catch (IOException e) {
            // fall back to the release
        }
        return versionCode(release());
    }

    /** KERNEL_VERSION(a, b, c) of the leading "a.b.c" of {@code text}, or 0 when it has none. */
    static int versionCode(String text) {
        int[] parts = new int[3];
        int i = 0;
        for (int p = 0; p < 3; p++) {
            int start = i;
            long v = 0;
            while (i < text.length() && Character.isDigit(text.charAt(i)) && v < Integer.MAX_VALUE) {
                v = v * 10 + (text.charAt(i++) - '0');
            }
            if (i == start || (p < 2 && (i >= text.length() || text.charAt(i++) != '.'))) {
                return 0;
            }
            parts[p] = (int) Math.min(v, Integer.MAX_VALUE);
        }
        return (parts[0] << 16) + (parts[1] << 8) + Math.min(parts[2], 255);
    }
}
