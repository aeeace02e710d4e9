package io.bpfkit.object;

/** Names as the kernel keeps them for maps and programs: 15 characters of {@code [A-Za-z0-9_.]}. */
public final class KernelNames {
    /** BPF_OBJ_NAME_LEN - 1. */
    public static final int MAX = 15;

    private KernelNames() {
    }

    /** {@code name} cut to 15 characters, others than letters, digits, '_' and '.' made '_' (as libbpf). */
    public static String of(String name) {
        int n = Math.min(name.length(), MAX);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            sb.append(c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '.') ? c : '_');
        }
        return sb.toString();
    }
}
