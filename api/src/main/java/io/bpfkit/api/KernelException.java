package io.bpfkit.api;

/**
 * A system call that the kernel refused: names the operation, the object it concerned, the
 * errno and a hint at what to do.
 *
 * <pre>{@code
 * catch (KernelException e) {
 *     if (e.errnoName().equals("EPERM")) { ... }
 * }
 * }</pre>
 */
public class KernelException extends BpfException {
    private static final long serialVersionUID = 1L;

    private final String operation;
    private final int errno;
    private final String errnoName;

    /**
     * @param operation what was attempted, e.g. {@code BPF_MAP_CREATE of map 'counts'}
     * @param errno the errno the kernel returned
     * @param errnoName its symbolic name, e.g. {@code EPERM}
     * @param hint what to do about it, or null
     */
    public KernelException(String operation, int errno, String errnoName, String hint) {
        super(operation + " failed: " + errnoName + " (errno " + errno + ")" + (hint == null ? "" : "; " + hint));
        this.operation = operation;
        this.errno = errno;
        this.errnoName = errnoName;
    }

    public String operation() {
        return operation;
    }

    public int errno() {
        return errno;
    }

    public String errnoName() {
        return errnoName;
    }
}
