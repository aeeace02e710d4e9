package io.bpfkit.check;

import io.bpfkit.api.CodecException;

/**
 * A Java type without a C layout, or annotated in a way that gives none: names the type or
 * component and says what would do. {@link #origin()} is the element the problem is about, as
 * the caller described it (the processor's {@code Element}; null at run time).
 *
 * <p>A {@link CodecException}: at run time {@code RecordCodec.of} throws it for a record it
 * cannot encode; at compile time the processor reports it as an error on {@link #origin()}.
 */
public final class LayoutException extends CodecException {
    private static final long serialVersionUID = 1L;
    private final transient Object origin;

    LayoutException(String message, Object origin) {
        super(message);
        this.origin = origin;
    }

    /** The element the problem is about, or null. */
    public Object origin() {
        return origin;
    }
}
