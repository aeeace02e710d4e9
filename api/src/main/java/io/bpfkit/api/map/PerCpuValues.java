package io.bpfkit.api.map;

import java.util.List;
import java.util.Objects;
import java.util.function.BinaryOperator;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * The values of one element of a per-CPU map: one per possible CPU, index = CPU number.
 *
 * <pre>{@code
 * PerCpuValues<Long> v = perCpu.get(key);
 * long total = v.sum(x -> x);
 * long max = v.reduce(Math::max);
 * Long onCpu1 = v.get(1);
 * }</pre>
 */
public final class PerCpuValues<V> {
    private final List<V> values;

    /** Values for CPUs 0, 1, ...; the list is copied. */
    public PerCpuValues(List<V> values) {
        this.values = List.copyOf(values);
    }

    /** The same value on each of {@code cpus} CPUs. */
    public static <V> PerCpuValues<V> of(int cpus, V value) {
        Objects.requireNonNull(value, "value");
        return new PerCpuValues<>(java.util.Collections.nCopies(cpus, value));
    }

    /** The number of CPUs (possible CPUs of the machine). */
    public int cpus() {
        return values.size();
    }

    /** The value on {@code cpu}. */
    public V get(int cpu) {
        return values.get(cpu);
    }

    /** All values, by CPU. */
    public List<V> values() {
        return values;
    }

    /** Combines the values of all CPUs with {@code op}, in CPU order. */
    public V reduce(BinaryOperator<V> op) {
        V acc = values.get(0);
        for (int i = 1; i < values.size(); i++) {
            acc = op.apply(acc, values.get(i));
        }
        return acc;
    }

    /** The sum over all CPUs of {@code f(value)}. */
    public long sum(ToLongFunction<? super V> f) {
        long s = 0;
        for (V v : values) {
            s += f.applyAsLong(v);
        }
        return s;
    }

    /** The sum over all CPUs of {@code f(value)}, for floating point values. */
    public double sumDouble(ToDoubleFunction<? super V> f) {
        double s = 0;
        for (V v : values) {
            s += f.applyAsDouble(v);
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PerCpuValues<?> p && p.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "PerCpuValues" + values;
    }
}
