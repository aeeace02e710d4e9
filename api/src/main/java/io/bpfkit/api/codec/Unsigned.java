package io.bpfkit.api.codec;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an integer record component (or the elements of an integer array component) as the
 * unsigned C type of the same width: {@code @Unsigned int} is a {@code __u32}, held in the Java
 * {@code int} bit for bit ({@link Integer#toUnsignedLong} reads it). The layout is the same as
 * for the signed type; BTF validation then expects an unsigned integer. Read by the runtime's
 * record codecs and by the annotation processor alike.
 *
 * <pre>{@code
 * record Sample(@Unsigned int cpu, @Unsigned long cycles) {}   // struct { __u32 cpu; __u64 cycles; }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER,
        ElementType.TYPE_USE})
public @interface Unsigned {
}
