package io.bpfkit.profile;

/**
 * A line of folded stacks that cannot be read: the message names the line number, what is wrong
 * and the line itself (shortened when long).
 *
 * <pre>{@code
 * try {
 *     FlameGraph.fromFolded(new StringReader("main;work 3\nmain;idle x\n"));
 * } catch (FoldedFormatException e) {
 *     e.lineNumber();   // 2
 *     e.getMessage();   // "folded stacks, line 2: the count 'x' is not a whole number ...: main;idle x"
 * }
 * }</pre>
 */
public final class FoldedFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private static final int SHOWN = 200;

    private final int lineNumber;
    private final String line;

    FoldedFormatException(int lineNumber, String line, String problem) {
        super("folded stacks, line " + lineNumber + ": " + problem + ": " + shorten(line));
        this.lineNumber = lineNumber;
        this.line = line;
    }

    /** The line's number, counted from 1. */
    public int lineNumber() {
        return lineNumber;
    }

    /** The line as read. */
    public String line() {
        return line;
    }

    private static String shorten(String line) {
        return line.length() <= SHOWN ? line : line.substring(0, SHOWN) + "... (" + line.length() + " characters)";
    }
}
