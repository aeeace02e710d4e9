package io.bpfkit.api;

/**
 * The one exception family of bpfkit: every failure bpfkit reports is a {@code BpfException}
 * or a subclass, with a message that says what happened, where, and what to do.
 *
 * <pre>{@code
 * try {
 *     BpfObjects.open(Path.of("prog.bpf.o"));
 * } catch (BpfException e) {
 *     System.err.println(e.getMessage());
 * }
 * }</pre>
 */
public class BpfException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BpfException(String message) {
        super(message);
    }

    public BpfException(String message, Throwable cause) {
        super(message, cause);
    }
}
