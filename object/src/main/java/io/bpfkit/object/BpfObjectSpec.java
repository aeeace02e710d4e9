package io.bpfkit.object;

import io.bpfkit.btf.Btf;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An opened eBPF object: everything the load phase needs, read from the ELF file in pure Java
 * with no system call. Adjust it (map sizes, constants, program types, autoload, pinning)
 * before load; {@link #copy()} gives an independent spec, so one opened file serves any number
 * of loads.
 *
 * <pre>{@code
 * BpfObjectSpec spec = BpfObjects.open(Path.of("syscount.bpf.o"));
 * spec.map("counts").orElseThrow().maxEntries(4096);
 * spec.dataMap(".rodata").orElseThrow().setVariable("target_pid", intBytes(1234));
 * for (ProgramSpec p : spec.programs()) System.out.println(p.name() + " " + p.type());
 * }</pre>
 */
public final class BpfObjectSpec {
    private final String name;
    private final ByteOrder order;
    private final String license;
    private final long kernelVersion;
    private final Btf btf;
    private final List<DatasecLayout> datasecLayouts;
    private final List<ProgramSpec> programs;
    private final List<MapSpec> maps;
    private final List<GlobalVariable> externs;

    BpfObjectSpec(String name, ByteOrder order, String license, long kernelVersion, Btf btf,
                  List<DatasecLayout> datasecLayouts, List<ProgramSpec> programs, List<MapSpec> maps,
                  List<GlobalVariable> externs) {
        this.name = Objects.requireNonNull(name, "name");
        this.order = order;
        this.license = license;
        this.kernelVersion = kernelVersion;
        this.btf = btf;
        this.datasecLayouts = List.copyOf(datasecLayouts);
        this.programs = List.copyOf(programs);
        this.maps = List.copyOf(maps);
        this.externs = List.copyOf(externs);
    }

    /** A deep copy: programs and maps are copied; the immutable BTF is shared. */
    public BpfObjectSpec copy() {
        return new BpfObjectSpec(name, order, license, kernelVersion, btf, datasecLayouts,
                programs.stream().map(ProgramSpec::copy).toList(), maps.stream().map(MapSpec::copy).toList(),
                externs);
    }

    /** The object's name: the file name up to its first dot, as libbpf names objects. */
    public String name() {
        return name;
    }

    /** The byte order of the object; only objects in the host's order can be loaded. */
    public ByteOrder byteOrder() {
        return order;
    }

    /** The {@code license} section's string, or {@code ""} when there is none. */
    public String license() {
        return license;
    }

    /** The {@code version} section's value, or 0. */
    public long kernelVersion() {
        return kernelVersion;
    }

    /** The object's BTF, if it has a {@code .BTF} section. */
    public Optional<Btf> btf() {
        return Optional.ofNullable(btf);
    }

    /**
     * The real size and variable offsets of each DATASEC backed by an ELF section (the raw BTF
     * has zeros there); a loader patches them in before giving the BTF to the kernel.
     */
    public List<DatasecLayout> datasecLayouts() {
        return datasecLayouts;
    }

    /** Programs and subprograms, in section then offset order. */
    public List<ProgramSpec> programs() {
        return programs;
    }

    /** The program or subprogram called {@code name}. */
    public Optional<ProgramSpec> program(String name) {
        return programs.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** All maps: those defined in {@code .maps} and {@code maps}, then global data maps. */
    public List<MapSpec> maps() {
        return maps;
    }

    /** The map called {@code name} (for global data, libbpf's name such as {@code syscount.bss}). */
    public Optional<MapSpec> map(String name) {
        return maps.stream().filter(m -> m.name().equals(name)).findFirst();
    }

    /** The map of a global data section, by section name: {@code .bss}, {@code .rodata}, ... */
    public Optional<MapSpec> dataMap(String section) {
        return maps.stream().filter(m -> m.isGlobalData() && section.equals(m.section())).findFirst();
    }

    /**
     * Every global variable: those of the data sections and the {@code __arena} globals
     * (section {@code .addr_space.1}, held by the arena map), then the externs.
     */
    public List<GlobalVariable> globals() {
        List<GlobalVariable> all = new ArrayList<>();
        for (MapSpec m : maps) {
            if (m.definition() == MapSpec.Definition.DATA_SECTION || m.mapType() == MapType.ARENA) {
                all.addAll(m.variables());
            }
        }
        all.addAll(externs);
        return all;
    }

    /** The externs of {@code .kconfig} and {@code .ksyms}, resolved at load. */
    public List<GlobalVariable> externs() {
        return externs;
    }

    @Override
    public String toString() {
        return "BpfObjectSpec[" + name + ", " + programs.size() + " programs, " + maps.size() + " maps]";
    }
}
