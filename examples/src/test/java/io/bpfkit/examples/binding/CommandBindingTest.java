package io.bpfkit.examples.binding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.RingBufferFullException;
import io.bpfkit.api.map.BpfUserRingBuffer;
import io.bpfkit.examples.binding.CommandProbe.Command;
import io.bpfkit.run.TestRun;
import io.bpfkit.testing.KernelTest;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A user ring buffer through the generated {@code CommandProbeBinding} only: Java submits
 * {@link Command} records encoded by the generated codec, the {@code apply} program drains
 * them with {@code bpf_user_ringbuf_drain} and applies them to {@code .bss}.
 */
@KernelTest
class CommandBindingTest {

    private static int apply(CommandProbe p) {
        return TestRun.of(p.apply()).run().returnValue();
    }

    private static long balance(CommandProbe p, int slot) {
        return p.bss().variable("balance").getAtIndex(ValueLayout.JAVA_LONG, slot);
    }

    @Test
    void recordsWrittenInJavaAreAppliedByTheProgram() {
        try (CommandProbe p = CommandProbeBinding.open().load()) {
            BpfUserRingBuffer<Command> commands = p.commands();
            assertEquals(4096, commands.ringSize());
            assertTrue(commands.offer(Command.add(0, 5)));
            assertTrue(commands.offer(Command.add(0, -2)));
            commands.submit(Command.set(3, 1L << 40), Duration.ofSeconds(1));
            commands.submit(new Command(9, 0, 1), Duration.ofSeconds(1));
            assertEquals(4, apply(p), "four samples drained, the unknown op among them");
            assertEquals(3, balance(p, 0));
            assertEquals(1L << 40, balance(p, 3));
            assertEquals(3, p.applied());
            assertEquals(1, p.unknownOps());

            // 4096 bytes hold 170 samples of 16 + 8 bytes; the 171st waits, then times out
            int sent = 0;
            while (commands.offer(Command.add(1, 1))) {
                sent++;
            }
            assertEquals(4096 / 24, sent);
            assertFalse(commands.offer(Command.add(1, 1)));
            RingBufferFullException full = assertThrows(RingBufferFullException.class,
                    () -> commands.submit(Command.add(1, 1), Duration.ofMillis(20)));
            assertTrue(full.getMessage().startsWith("map 'commands'"), full.getMessage());
            assertEquals(sent, apply(p));
            assertEquals(sent, balance(p, 1));
            assertTrue(commands.offer(Command.add(1, 1)), "room again after the drain");
        }
    }
}
