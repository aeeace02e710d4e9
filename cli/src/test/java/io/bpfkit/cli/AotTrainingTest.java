package io.bpfkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The launcher's AOT training run splits its arguments into the commands it runs. */
class AotTrainingTest {
    @Test
    void commandsAreSplitAtDoubleDashesAndEmptyOnesDropped() {
        assertEquals(List.of(List.of("load", "a.o", "b.o"), List.of("btf", "dump", "F", "--format", "c"),
                        List.of("btf", "dump", "F")),
                AotTraining.commands(List.of("--", "load", "a.o", "b.o", "--", "btf", "dump", "F", "--format", "c",
                        "--", "--", "btf", "dump", "F")));
        assertEquals(List.of(), AotTraining.commands(List.of("--")));
    }
}
