package io.bpfkit.fuzz;

/**
 * The opener broke its contract on some input: it threw something other than a plain
 * {@link io.bpfkit.api.ObjectFormatException}, wrapped an internal error in one, or produced a
 * spec whose accessors fail. The cause, if any, is what was thrown.
 */
public final class ContractViolation extends AssertionError {
    private static final long serialVersionUID = 1L;

    private final String kind;

    /**
     * @param kind what was broken, without details, for grouping (e.g. "relocation outside its program")
     * @param message the details
     * @param cause what was thrown, or null when an invariant of the result was broken
     */
    public ContractViolation(String kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /** A violation by a thrown exception. */
    public ContractViolation(String message, Throwable cause) {
        this(null, message, cause);
    }

    /**
     * A short key for grouping violations with the same origin: the exception's class and the
     * first two bpfkit frames (outside the fuzz harness) of the innermost cause, or the kind of
     * an invariant that was broken.
     */
    public String signature() {
        Throwable t = this;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        if (t == this) {
            return kind != null ? kind : getMessage();
        }
        StringBuilder frames = new StringBuilder();
        int n = 0;
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().startsWith("io.bpfkit.") && !e.getClassName().startsWith("io.bpfkit.fuzz.")) {
                frames.append(n == 0 ? " at " : " < ").append(e.getClassName().substring("io.bpfkit.".length()))
                        .append('.').append(e.getMethodName()).append(':').append(e.getLineNumber());
                if (++n == 2) {
                    break;
                }
            }
        }
        return t.getClass().getName() + frames;
    }
}
