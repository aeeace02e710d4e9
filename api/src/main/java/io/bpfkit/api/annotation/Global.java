package io.bpfkit.api.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A method of a {@link BpfObject} interface reading ({@code T name()}) or writing
 * ({@code void name(T value)}) a global variable of the object. The type is a primitive
 * ({@code @Unsigned} where C's is), a record laid out as a C struct, or a {@code @Size(N)}
 * array or string.
 *
 * <ul>
 *   <li>{@code .rodata} variables ({@code const volatile}) are constants once loaded: their
 *       setters appear on the binding's open handle, before load; the loaded interface's
 *       setter throws {@link IllegalStateException}; getters read the loaded value.</li>
 *   <li>{@code .bss} and {@code .data} variables are read and written on the loaded
 *       interface, through a shared mapping (no system call); their setters also appear on
 *       the open handle ({@code .data} initial values).</li>
 * </ul>
 *
 * <pre>{@code
 * @Global("target_pid") void targetPid(@Unsigned int pid);   // .rodata
 * @Global long total();                                       // .bss, variable "total"
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Global {

    /** The variable's name; empty: the method's name. */
    String value() default "";
}
