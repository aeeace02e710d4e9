package io.bpfkit.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class or method that calls bpf(2). Where bpf(2) cannot be used it is skipped
 * with the reason; when the system property {@code bpfkit.kernelTests} is {@code require}
 * (CI sets it), that skip becomes a failure, so a broken probe cannot hide a broken feature.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("kernel")
@ExtendWith(KernelTestExtension.class)
public @interface KernelTest {
}
