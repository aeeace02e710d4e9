package io.bpfkit.api.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The C struct a record stands for, when bpfkit should check that name too. A record used as
 * a map key or value is laid out as C lays out a struct with the same members in the same
 * order (natural alignment, padding, nested records, {@code @Size} arrays and strings) and is
 * checked member by member (name, offset, size, signedness) against the BTF type the map
 * declares; with this annotation the struct's name must match as well. Generated bindings and
 * the runtime's record codecs ({@code RecordCodec}) both read it, the latter from the class at
 * run time.
 *
 * <pre>{@code
 * @CStruct("syscall_stats")
 * public record Stats(@Unsigned long calls, @Unsigned long nanos) {}
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface CStruct {

    /** The struct's tag in C, without {@code struct}. */
    String value();
}
