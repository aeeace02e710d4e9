package io.bpfkit.api.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A method of a {@link BpfObject} interface returning one of the object's programs
 * ({@link io.bpfkit.api.BpfProgram}). The open handle gets a setter choosing whether the program
 * loads at all; with {@link #autoAttach()} the program is attached where its section says
 * ({@code tp/syscalls/sys_enter_write}, {@code raw_tp/...}, {@code uprobe/...}) as soon as it is
 * loaded, and detached when the binding closes.
 *
 * <pre>{@code
 * @Program(value = "on_exit", autoAttach = true) BpfProgram onExit();
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Program {

    /** The program's name (its C function); empty: the method's name. */
    String value() default "";

    /**
     * Whether {@code load()} attaches the program as its section names; the section must name
     * a target (a bare {@code SEC("xdp")} or {@code SEC("uprobe")} does not).
     */
    boolean autoAttach() default false;
}
