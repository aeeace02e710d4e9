package io.bpfkit.api.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an interface as the Java side of one eBPF object file. bpfkit's annotation processor
 * writes a class {@code <Interface>Binding} beside it: {@code open()} reads the object,
 * returns a handle with typed edits for exactly the elements the interface declares, and its
 * {@code load()} returns an implementation of the interface whose methods return typed
 * handles. The interface must extend {@link AutoCloseable}: closing it closes the loaded
 * object.
 *
 * <p>When the processor finds the object while compiling (a class-path or source-path
 * resource, or in the folder given with {@code -Abpfkit.objectDir=DIR}), every declared map,
 * program, global and record layout is checked against it and a mismatch is a compile error
 * on the method; otherwise the same checks run when the binding opens the object.
 *
 * <pre>{@code
 * @BpfObject("syscount.bpf.o")               // next to this interface on the class path
 * public interface SysCount extends AutoCloseable {
 *     @Map BpfHashMap<@Unsigned Integer, Stats> counts();
 *     @Program("on_exit") BpfProgram onExit();
 *     @Global("target_pid") void targetPid(@Unsigned int pid);
 *     @Global long total();
 *     void close();
 * }
 * try (SysCount sc = SysCountBinding.open().targetPid(42).load()) { ... }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface BpfObject {

    /**
     * The object as a class-path resource, resolved as {@link Class#getResource} resolves it:
     * relative to the interface's package, or absolute with a leading {@code /}.
     */
    String value();

    /**
     * The object's name in messages and in kernel map names ({@code NAME.bss}); empty: the
     * resource's file name.
     */
    String name() default "";
}
