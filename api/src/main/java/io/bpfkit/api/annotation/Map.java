package io.bpfkit.api.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A method of a {@link BpfObject} interface returning a typed handle on one of the object's
 * maps. The return type says which map type the handle fits ({@code BpfHashMap},
 * {@code BpfArray}, {@code BpfPerCpuArray}, {@code BpfRingBufferMap}, ...); its type arguments
 * are the key and value types: boxed primitives ({@code @Unsigned} where the C type is),
 * records laid out as C structs, {@code @Size(N) byte[]} and {@code @Size(N) String}.
 *
 * <pre>{@code
 * @Map("counts") BpfHashMap<@Unsigned Integer, Stats> counts();
 * @Map BpfArray<Long> hits();                 // the map called "hits"
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Map {

    /** The map's name in the object; empty: the method's name. */
    String value() default "";
}
