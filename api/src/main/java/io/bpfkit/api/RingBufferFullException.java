package io.bpfkit.api;

/**
 * A user ring buffer ({@code BPF_MAP_TYPE_USER_RINGBUF}) had no room for a sample until the
 * timeout ran out: the program draining it ({@code bpf_user_ringbuf_drain}) has not freed
 * enough space. The message names the map, the bytes asked for and the bytes free.
 *
 * <pre>{@code
 * try {
 *     commands.submit(new Command(42), Duration.ofMillis(100));
 * } catch (RingBufferFullException e) {
 *     log.warn(e.getMessage());        // drop, or retry later
 * }
 * }</pre>
 */
public class RingBufferFullException extends BpfException {
    private static final long serialVersionUID = 1L;

    public RingBufferFullException(String message) {
        super(message);
    }
}
