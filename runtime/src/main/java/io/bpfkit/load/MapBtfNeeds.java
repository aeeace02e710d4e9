package io.bpfkit.load;

import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfType;
import io.bpfkit.object.MapSpec;
import io.bpfkit.object.MapType;
import java.util.Set;

/**
 * Why a map cannot be created without BTF: the kernel keys local storage by the BTF of its value,
 * and finds the special fields of a value (locks, timers, kptrs, list and tree roots) only in
 * its BTF. Such a map is never retried without BTF, as other maps are: it would be refused, or
 * worse, made without the fields' meaning.
 *
 * <pre>{@code
 * String why = MapBtfNeeds.why(mapSpec, btf);   // "a task_storage map", or null
 * }</pre>
 */
final class MapBtfNeeds {
    private static final Set<MapType> BTF_ONLY_TYPES = Set.of(MapType.SK_STORAGE, MapType.INODE_STORAGE,
            MapType.TASK_STORAGE, MapType.CGRP_STORAGE, MapType.STRUCT_OPS);
    /** Structs the kernel gives a meaning inside a map value (btf_parse_fields). */
    private static final Set<String> SPECIAL_STRUCTS = Set.of("bpf_spin_lock", "bpf_res_spin_lock", "bpf_timer",
            "bpf_wq", "bpf_task_work", "bpf_list_head", "bpf_list_node", "bpf_rb_root", "bpf_rb_node",
            "bpf_refcount");
    private static final Set<String> KPTR_TAGS = Set.of("kptr", "kptr_untrusted", "percpu_kptr", "uptr");

    private MapBtfNeeds() {
    }

    /** Why {@code m} needs BTF, e.g. "a task_storage map", or null when it can do without. */
    static String why(MapSpec m, Btf btf) {
        if (BTF_ONLY_TYPES.contains(m.mapType())) {
            return "a " + m.mapType().libbpfName() + " map";
        }
        if (btf == null || m.valueTypeId() == 0) {
            return null;
        }
        String field = specialField(btf, m.valueTypeId(), 0);
        return field == null ? null : "its value holds a " + field;
    }

    /** The first special field inside type {@code id}, as "struct bpf_spin_lock" or "kptr", or null. */
    private static String specialField(Btf btf, int id, int depth) {
        if (depth > Btf.MAX_CHAIN_DEPTH) {
            return null;
        }
        BtfType t = btf.type(btf.skipModifiersAndTypedefs(id));
        // An instanceof chain, not a pattern switch: a switch over types is bootstrapped at its
        // first run into a class a JDK AOT cache does not keep, and every load runs this.
        if (t instanceof BtfType.Struct s) {
            return SPECIAL_STRUCTS.contains(s.name()) ? "struct " + s.name() : firstIn(btf, s.members(), depth);
        }
        if (t instanceof BtfType.Union u) {
            return firstIn(btf, u.members(), depth);
        }
        if (t instanceof BtfType.Array a) {
            return specialField(btf, a.type(), depth + 1);
        }
        if (t instanceof BtfType.Ptr p && btf.type(p.type()) instanceof BtfType.TypeTag tag
                && KPTR_TAGS.contains(tag.name())) {
            return tag.name();
        }
        return null;
    }

    private static String firstIn(Btf btf, java.util.List<BtfType.Member> members, int depth) {
        for (BtfType.Member member : members) {
            String f = specialField(btf, member.type(), depth + 1);
            if (f != null) {
                return f;
            }
        }
        return null;
    }
}
