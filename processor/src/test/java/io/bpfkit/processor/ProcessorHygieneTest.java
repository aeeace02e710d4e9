package io.bpfkit.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.Filer;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedAnnotationTypes;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;
import javax.tools.JavaFileObject;
import javax.tools.StandardLocation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processor as a good citizen of javac: it leaves its annotations to other processors,
 * waits for types another processor generates, names the interface behind each generated file,
 * and turns its own failures into errors on the interface instead of crashing the compiler.
 */
class ProcessorHygieneTest {
    private static final String USES_GENERATED = BindingProcessorTest.HEADER + """
            @BpfObject("binding.bpf.o")
            public interface Counts extends AutoCloseable {
                @Map BpfHashMap<FlowKey, Generated> flows();
                @Override void close();
            }
            """;

    @TempDir
    Path work;

    @Test
    void anInterfaceNamingATypeAnotherProcessorGeneratesIsBoundInALaterRound() throws Exception {
        // bpfkit's processor first: in round 1 `Generated` does not exist yet
        Compiler.Result r = Compiler.compile(work, BindingProcessorTest.sources("t/Counts.java", USES_GENERATED),
                List.of(BindingProcessor.class.getName(), GeneratesARecord.class.getName()),
                BindingProcessorTest.objectDir());
        assertTrue(r.success(), r::describe);
        String binding = r.generated("t/CountsBinding.java");
        assertTrue(binding.contains("BpfHashMap<FlowKey, Generated>"), binding);
        // and checked against the object as in one round: `Generated` is laid out as flow_stats is
        Compiler.Result wrong = Compiler.compile(work, BindingProcessorTest.sources("t/Counts.java",
                USES_GENERATED.replace("FlowKey, Generated", "Integer, Generated")),
                List.of(BindingProcessor.class.getName(), GeneratesARecord.class.getName()),
                BindingProcessorTest.objectDir());
        assertFalse(wrong.success());
        assertTrue(wrong.onlyError().getMessage(Locale.ROOT).contains("key"), wrong::describe);
    }

    @Test
    void aTypeThatNeverComesToExistIsAnErrorOnTheInterface() {
        Compiler.Result r = Compiler.compile(work, BindingProcessorTest.sources("t/Counts.java", USES_GENERATED),
                BindingProcessorTest.objectDir());
        assertFalse(r.success());
        var ours = r.errors().stream().filter(d -> d.getMessage(Locale.ROOT).startsWith("no binding written"))
                .toList();
        assertEquals(1, ours.size(), r::describe);
        assertEquals("no binding written: Generated never came to exist (a missing import, or a type another"
                + " annotation processor did not generate)", ours.getFirst().getMessage(Locale.ROOT));
        assertEquals("@BpfObject(\"binding.bpf.o\")", r.pointedAt(ours.getFirst()));
        assertFalse(Files.exists(r.generated().resolve("t/CountsBinding.java")));
    }

    @Test
    void theAnnotationsStayVisibleToTheProcessorsAfterIt() throws Exception {
        Compiler.Result r = Compiler.compile(work, BindingProcessorTest.sources("t/Flows.java",
                BindingProcessorTest.FLOWS), List.of(BindingProcessor.class.getName(), SeesBpfObject.class.getName()),
                BindingProcessorTest.objectDir());
        assertTrue(r.success(), r::describe);
        assertEquals("t.Flows\n", Files.readString(r.classes().resolve("seen-bpf-objects.txt")));
    }

    @Test
    void eachGeneratedBindingNamesItsInterfaceAsOriginatingElement() throws Exception {
        Compiler.Result r = Compiler.compile(work, BindingProcessorTest.sources("t/Flows.java",
                BindingProcessorTest.FLOWS), List.of(RecordsOriginatingElements.class.getName()),
                BindingProcessorTest.objectDir());
        assertTrue(r.success(), r::describe);
        assertEquals("t.FlowsBinding <- [t.Flows]\n", Files.readString(r.classes().resolve("originating.txt")));
    }

    @Test
    void aFailureInsideTheProcessorIsAnErrorOnTheInterfaceNotACrash() {
        Compiler.Result r = Compiler.compile(work, BindingProcessorTest.sources("t/Flows.java",
                BindingProcessorTest.FLOWS), List.of(WithAFailingFiler.class.getName()),
                BindingProcessorTest.objectDir());
        assertFalse(r.success());
        var error = r.onlyError();
        assertTrue(error.getMessage(Locale.ROOT).startsWith("bpfkit's annotation processor failed on this interface"
                + " (a bug in bpfkit, please report it): java.lang.IllegalStateException: the filer is broken at "),
                r::describe);
        assertEquals("@BpfObject(\"binding.bpf.o\")", r.pointedAt(error));
    }

    /** Writes record {@code t.Generated} (laid out as binding.bpf.o's flow_stats) in its first round. */
    @SupportedAnnotationTypes("*")
    public static final class GeneratesARecord extends AbstractProcessor {
        private boolean done;

        @Override
        public SourceVersion getSupportedSourceVersion() {
            return SourceVersion.latestSupported();
        }

        @Override
        public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
            if (!done) {
                done = true;
                try (Writer w = processingEnv.getFiler().createSourceFile("t.Generated").openWriter()) {
                    w.write(BindingProcessorTest.HEADER + "@CStruct(\"flow_stats\")\npublic record Generated("
                            + "@Unsigned long packets, @Unsigned int bytes, Inner inner, @Size(16) String comm, "
                            + "@Size(3) int[] hist) {}\n");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return false;
        }
    }

    /** Lists the {@code @BpfObject} interfaces it is given, in class output's seen-bpf-objects.txt. */
    @SupportedAnnotationTypes("io.bpfkit.api.annotation.BpfObject")
    public static final class SeesBpfObject extends AbstractProcessor {
        private final StringBuilder seen = new StringBuilder();

        @Override
        public SourceVersion getSupportedSourceVersion() {
            return SourceVersion.latestSupported();
        }

        @Override
        public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
            for (TypeElement a : annotations) {
                round.getElementsAnnotatedWith(a).forEach(e -> seen.append(e).append('\n'));
            }
            if (round.processingOver()) {
                try (Writer w = processingEnv.getFiler().createResource(StandardLocation.CLASS_OUTPUT, "",
                        "seen-bpf-objects.txt").openWriter()) {
                    w.write(seen.toString());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return false;
        }
    }

    /** bpfkit's processor over an environment whose filer's source files go through {@link #createSourceFile}. */
    abstract static class WithItsFiler extends AbstractProcessor {
        private final BindingProcessor bpfkit = new BindingProcessor();

        @Override
        public SourceVersion getSupportedSourceVersion() {
            return SourceVersion.latestSupported();
        }

        @Override
        public synchronized void init(ProcessingEnvironment env) {
            super.init(env);
            Filer filer = (Filer) Proxy.newProxyInstance(Filer.class.getClassLoader(), new Class<?>[] {Filer.class},
                    (proxy, method, args) -> method.getName().equals("createSourceFile")
                            ? createSourceFile((CharSequence) args[0], (Element[]) args[1])
                            : method.invoke(env.getFiler(), args));
            bpfkit.init((ProcessingEnvironment) Proxy.newProxyInstance(ProcessingEnvironment.class.getClassLoader(),
                    new Class<?>[] {ProcessingEnvironment.class}, (proxy, method, args) ->
                            method.getName().equals("getFiler") ? filer : method.invoke(env, args)));
        }

        abstract JavaFileObject createSourceFile(CharSequence name, Element[] originating) throws IOException;

        @Override
        public Set<String> getSupportedOptions() {
            return bpfkit.getSupportedOptions();
        }

        @Override
        public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
            return bpfkit.process(annotations, round);
        }
    }

    /** A filer that fails as no real one should. */
    @SupportedAnnotationTypes("*")
    public static final class WithAFailingFiler extends WithItsFiler {
        @Override
        JavaFileObject createSourceFile(CharSequence name, Element[] originating) {
            throw new IllegalStateException("the filer is broken");
        }
    }

    /** Writes "generated <- [originating elements]" lines to class output's originating.txt. */
    @SupportedAnnotationTypes("*")
    public static final class RecordsOriginatingElements extends WithItsFiler {
        private final StringBuilder lines = new StringBuilder();

        @Override
        JavaFileObject createSourceFile(CharSequence name, Element[] originating) throws IOException {
            lines.append(name).append(" <- ").append(Arrays.toString(originating)).append('\n');
            return processingEnv.getFiler().createSourceFile(name, originating);
        }

        @Override
        public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
            boolean claimed = super.process(annotations, round);
            if (round.processingOver()) {
                try (Writer w = processingEnv.getFiler().createResource(StandardLocation.CLASS_OUTPUT, "",
                        "originating.txt").openWriter()) {
                    w.write(lines.toString());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return claimed;
        }
    }
}
