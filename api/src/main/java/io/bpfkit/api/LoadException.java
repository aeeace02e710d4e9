package io.bpfkit.api;

/**
 * An object that cannot be loaded for a reason bpfkit finds before or around the kernel: a
 * relocation that does not fit, a feature this bpfkit does not have yet, a big-endian object
 * on a little-endian host. Names the object element (program or map) it concerns.
 */
public class LoadException extends BpfException {
    private static final long serialVersionUID = 1L;

    private final String element;

    /**
     * @param element the program or map concerned, as {@code program 'x'} or {@code map 'y'}
     * @param problem what is wrong and, where possible, what to do
     */
    public LoadException(String element, String problem) {
        super(element + ": " + problem);
        this.element = element;
    }

    public LoadException(String element, String problem, Throwable cause) {
        super(element + ": " + problem, cause);
        this.element = element;
    }

    /** The program or map concerned. */
    public String element() {
        return element;
    }
}
