package io.bpfkit.api;

/**
 * A Java value or type with no C form as declared: a value that does not fit its C member (a
 * string longer than its {@code char} array, an array of another length than its {@code @Size},
 * a null where a struct member needs a value, a number out of its unsigned range, per-CPU values
 * for another number of CPUs), or a record type that has no C layout. The message names the
 * member, e.g. {@code FlowStats.hist must have 3 elements (@Size), not 2}.
 *
 * <p>Record codecs made at run time ({@code RecordCodec.of}) and those a binding generates at
 * compile time throw the same exception with the same message for the same value.
 *
 * <pre>{@code
 * try {
 *     flows.put(key, new FlowStats(1, 2, new int[2]));    // hist is @Size(3)
 * } catch (CodecException e) {
 *     System.err.println(e.getMessage());
 * }
 * }</pre>
 */
public class CodecException extends BpfException {
    private static final long serialVersionUID = 1L;

    public CodecException(String message) {
        super(message);
    }

    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * A null where a C struct member needs a value.
     *
     * @param where the member, as {@code Record.component} or {@code Record.component[i]}
     */
    public static CodecException nullMember(String where) {
        return new CodecException(where + " is null: a C struct member has a value");
    }

    /**
     * Refuses an array of another length than its C array: the one check generated codecs and
     * run-time record codecs share.
     *
     * @param where the member, as {@code Record.component}
     * @throws CodecException when {@code actual != expected}
     */
    public static void requireLength(String where, int expected, int actual) {
        if (actual != expected) {
            throw new CodecException(where + " must have " + expected + " elements (@Size), not " + actual);
        }
    }
}
