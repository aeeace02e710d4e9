package io.bpfkit.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.load.LoadedObject;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.TestRunAttr;
import io.bpfkit.testing.Allocations;
import io.bpfkit.testing.Events;
import io.bpfkit.testing.KernelTest;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The zero-copy path allocates nothing: the thread's allocation counter does not move (beyond
 * what reading the counter costs) while a warmed-up reader polls 100 batches of 5 000 records.
 */
@KernelTest
// The loop below polls without blocking; the timeout runs the test on its own thread, so a
// reader that never sees the records fails it rather than spinning forever.
@Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RingBufferAllocationTest {
    private long sum;
    private long handled;

    @Test
    void zeroCopyRecordsAllocateNothing() {
        final int batch = 5_000;
        try (LoadedObject obj = Events.load(); Arena arena = Arena.ofConfined();
             RingBufferReader r = RingBufferReader.builder().add(obj.map("rb").orElseThrow(),
                     (data, offset, length) -> {
                         sum += data.get(ValueLayout.JAVA_LONG, offset);
                         handled++;
                     }).build()) {
            var ctx = arena.allocate(ValueLayout.JAVA_LONG, 4);
            ctx.setAtIndex(ValueLayout.JAVA_LONG, 1, batch);
            TestRunAttr run = TestRunAttr.builder().ctxIn(ctx).build();
            var prog = Events.program(obj, "emit_rb").fd();
            long tid = Thread.currentThread().threadId();
            long allocated = 0;
            for (int round = 0; round < 300; round++) { // 200 rounds to warm up, 100 measured
                Bpf.progTestRun(prog, run);
                long before = Allocations.allocatedBytes(tid);
                handled = 0;
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (handled < batch) {
                    r.poll(Duration.ZERO);
                    if (System.nanoTime() - deadline > 0) {
                        throw new AssertionError("round " + round + ": " + handled + " of " + batch
                                + " records in 10 s");
                    }
                }
                long after = Allocations.allocatedBytes(tid);
                // what reading the counter itself allocates (reflection boxes), measured the same way
                long probe = Allocations.allocatedBytes(tid);
                long probeCost = Allocations.allocatedBytes(tid) - probe;
                if (round >= 200) {
                    allocated += after - before - probeCost;
                }
                assertEquals(batch, handled);
            }
            double perRecord = (double) allocated / (100.0 * batch);
            assertTrue(perRecord < 0.01, "bytes allocated per record: " + perRecord);
            assertTrue(sum != 0);
        }
    }
}
