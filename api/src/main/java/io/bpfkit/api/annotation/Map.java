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
 * <ul>
 *   <li>Maps of maps ({@code BpfHashOfMaps<K, M>}, {@code BpfArrayOfMaps<M>}, or
 *       {@code BpfMapOfMaps<K, M>} for either) name the inner maps' handle type {@code M},
 *       checked against the object's inner map template.</li>
 *   <li>{@code BpfRingBuffer<R>} is a ring buffer whose records are {@code R}: readers decode
 *       them with the generated codec.</li>
 *   <li>{@code BpfGlobals} is a whole global data section: the name is the section's
 *       ({@code .bss}, {@code .data.counters}); by default a dot and the method's name, its
 *       camel case parts joined by dots ({@code bss()}: {@code .bss}, {@code dataCounters()}:
 *       {@code .data.counters}). {@code .rodata} is read-only after load.</li>
 * </ul>
 *
 * <pre>{@code
 * @Map("counts") BpfHashMap<@Unsigned Integer, Stats> counts();
 * @Map BpfArray<Long> hits();                 // the map called "hits"
 * @Map BpfArrayOfMaps<BpfArray<Stats>> tables();
 * @Map BpfRingBuffer<ExecEvent> events();
 * @Map(".data.counters") BpfGlobals counters();
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Map {

    /**
     * The map's name in the object (for {@code BpfGlobals}, the section's); empty: the method's
     * name in snake case ({@code entryTimes}: {@code entry_times}).
     */
    String value() default "";
}
