package io.bpfkit.api;

/**
 * A program loaded into the kernel. Its owner (the loaded object or binding it came from)
 * closes it; after that every method that needs the kernel throws
 * {@link IllegalStateException}.
 *
 * <pre>{@code
 * BpfProgram onEnter = loaded.program("on_enter");
 * programArray.set(0, onEnter);          // a tail-call slot now points at it
 * }</pre>
 */
public interface BpfProgram {

    /** The program's name: its C function name. */
    String name();

    /**
     * The program's file descriptor, for calls bpfkit does not wrap; owned by the program,
     * never to be closed by the caller.
     *
     * @throws IllegalStateException when the program has been closed
     */
    int fileDescriptor();
}
