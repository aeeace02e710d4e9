package io.bpfkit.api.codec;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The fixed length of an array or string member of a C struct laid out from a Java record:
 * the number of elements of a {@code byte[]}, {@code int[]}, {@code long[]}, ... or record
 * array component, or the bytes of a {@code String} component (a NUL-padded {@code char[N]}).
 * Read by the runtime's record codecs and by the annotation processor alike.
 *
 * <pre>{@code
 * record Task(int pid, @Size(16) String comm, @Size(4) long[] samples) {}
 * // struct task { int pid; char comm[16]; long samples[4]; }   (with its padding)
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER,
        ElementType.TYPE_USE})
public @interface Size {
    /** The number of elements (bytes for a {@code String}); at least 1. */
    int value();
}
