package io.bpfkit.core;

/**
 * CO-RE's "essential" names: a type, field or enumerator name without its {@code ___flavor}
 * suffix, so that {@code task_struct___v1} in a BPF program matches the kernel's
 * {@code task_struct}.
 *
 * <pre>{@code
 * CoreNames.essential("task_struct___v1");   // "task_struct"
 * CoreNames.essential("__u32");              // "__u32" (no X___Y pattern)
 * }</pre>
 */
public final class CoreNames {
    private CoreNames() {
    }

    /**
     * Length of the essential part: up to the last {@code X___Y} separator, where X and Y are
     * not underscores (libbpf's rule), or the whole name when there is none.
     */
    public static int essentialLength(String name) {
        int n = name.length();
        for (int i = n - 5; i >= 0; i--) {
            if (name.charAt(i) != '_' && name.charAt(i + 1) == '_' && name.charAt(i + 2) == '_'
                    && name.charAt(i + 3) == '_' && name.charAt(i + 4) != '_') {
                return i + 1;
            }
        }
        return n;
    }

    /** The name without its flavor suffix. */
    public static String essential(String name) {
        int len = essentialLength(name);
        return len == name.length() ? name : name.substring(0, len);
    }

    /** Whether two names are equal once their flavors are dropped. */
    static boolean essentialEquals(String a, String b) {
        int la = essentialLength(a);
        return la == essentialLength(b) && a.regionMatches(0, b, 0, la);
    }
}
