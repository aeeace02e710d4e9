package io.bpfkit.api.pmu;

import java.util.List;
import java.util.Objects;

/**
 * A counter read on every CPU at one moment.
 *
 * <pre>{@code
 * PmuReading before = cycles.read();
 * work();
 * PmuReading during = cycles.read().minus(before);
 * double cyclesSpent = during.scaled();
 * }</pre>
 *
 * @param event the event that was actually counted (the fallback when it was used)
 * @param cpus the CPU numbers, in the order of {@code values}
 * @param values the reading per CPU ({@link PmuValue#ZERO} for a CPU that was offline at load)
 */
public record PmuReading(String event, List<Integer> cpus, List<PmuValue> values) {

    public PmuReading {
        Objects.requireNonNull(event, "event");
        cpus = List.copyOf(cpus);
        values = List.copyOf(values);
        if (cpus.size() != values.size()) {
            throw new IllegalArgumentException(cpus.size() + " CPUs but " + values.size() + " values");
        }
    }

    /** The reading of one CPU. */
    public PmuValue cpu(int cpu) {
        int i = cpus.indexOf(cpu);
        if (i < 0) {
            throw new IllegalArgumentException("CPU " + cpu + " is not in this reading (CPUs " + cpus + ")");
        }
        return values.get(i);
    }

    /** All CPUs added up (raw counts and times). */
    public PmuValue total() {
        PmuValue sum = PmuValue.ZERO;
        for (PmuValue v : values) {
            sum = sum.plus(v);
        }
        return sum;
    }

    /** The sum over CPUs of each CPU's scaled count: the estimate perf prints. */
    public double scaled() {
        double sum = 0;
        for (PmuValue v : values) {
            sum += v.scaled();
        }
        return sum;
    }

    /** The counts between {@code earlier} and this reading, CPU by CPU. */
    public PmuReading minus(PmuReading earlier) {
        if (!cpus.equals(earlier.cpus)) {
            throw new IllegalArgumentException("readings of different CPUs: " + cpus + " and " + earlier.cpus);
        }
        PmuValue[] out = new PmuValue[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i).minus(earlier.values.get(i));
        }
        return new PmuReading(event, cpus, List.of(out));
    }
}
