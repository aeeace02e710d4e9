package io.bpfkit.examples.binding;

import io.bpfkit.api.BpfProgram;
import io.bpfkit.api.annotation.BpfObject;
import io.bpfkit.api.annotation.Global;
import io.bpfkit.api.annotation.Map;
import io.bpfkit.api.annotation.Program;
import io.bpfkit.api.codec.Unsigned;
import io.bpfkit.api.map.BpfArray;
import io.bpfkit.api.map.BpfArrayOfMaps;
import io.bpfkit.api.map.BpfGlobals;
import io.bpfkit.api.map.BpfHashOfMaps;
import io.bpfkit.api.map.BpfMapOfMaps;
import io.bpfkit.api.map.BpfRingBuffer;

/**
 * The Java side of {@code nested.bpf.c} (see its header): maps of maps with typed inner
 * handles, whole global sections and a ring buffer of records. javac checks it against the
 * object and writes {@code NestedProbeBinding}.
 */
@BpfObject("nested.bpf.o")
public interface NestedProbe extends AutoCloseable {

    /** Two slots of {@link Tally} arrays. */
    @Map
    BpfArrayOfMaps<BpfArray<Tally>> tables();

    /** The same map, through the handle that fits either kind of map of maps. */
    @Map("tables")
    BpfMapOfMaps<Integer, BpfArray<Tally>> anyTables();

    /** Tenants to {@link Tally} arrays; empty after load. */
    @Map
    BpfHashOfMaps<@Unsigned Integer, BpfArray<Tally>> byTenant();

    /** One {@link BumpRecord} per run of {@link #bump()}. */
    @Map
    BpfRingBuffer<BumpRecord> records();

    @Map
    BpfGlobals bss();

    @Map
    BpfGlobals rodata();

    @Map(".data.counters")
    BpfGlobals counters();

    @Global
    void scale(long scale);

    @Global
    @Unsigned
    long bumps();

    @Program
    BpfProgram bump();

    @Override
    void close();

    /** {@code struct tally}. */
    record Tally(@Unsigned long hits, long last) {
    }

    /** {@code struct bump_record}. */
    record BumpRecord(@Unsigned int tenant, @Unsigned int index, long value) {
    }
}
