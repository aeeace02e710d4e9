package io.bpfkit.sys;

import io.bpfkit.api.OwnedFd;
import io.bpfkit.uapi.BpfFlags;
import java.lang.foreign.MemorySegment;

/**
 * Everything {@code BPF_MAP_CREATE} takes (Linux 6.18). File descriptor fields hold raw
 * numbers (0 for none) which must stay open for the duration of the call.
 *
 * <pre>{@code
 * MapCreateAttr a = MapCreateAttr.builder(2, 4, 8, 16)     // BPF_MAP_TYPE_ARRAY
 *         .name("counts").mapFlags(BPF_F_MMAPABLE).build();
 * try (Fd map = Bpf.mapCreate(a)) { ... }
 * }</pre>
 *
 * @param mapType {@code enum bpf_map_type}
 * @param name map_name; truncated to 15 bytes (the kernel's limit with the NUL), may be null
 * @param exclProgHash {@code excl_prog_hash} (SHA-256 of the one program allowed to use the
 *        map, 6.18), or null
 */
public record MapCreateAttr(int mapType, int keySize, int valueSize, int maxEntries, int mapFlags,
        int innerMapFd, int numaNode, String name, int mapIfindex, int btfFd, int btfKeyTypeId,
        int btfValueTypeId, int btfVmlinuxValueTypeId, long mapExtra, int valueTypeBtfObjFd, int mapTokenFd,
        MemorySegment exclProgHash) {

    public MapCreateAttr {
        if (exclProgHash != null && !exclProgHash.isNative()) {
            throw new IllegalArgumentException("excl_prog_hash must be native memory");
        }
    }

    /** A builder with the four fields every map has. */
    public static Builder builder(int mapType, int keySize, int valueSize, int maxEntries) {
        return new Builder(mapType, keySize, valueSize, maxEntries);
    }

    /** A builder holding this record's values. */
    public Builder toBuilder() {
        Builder b = new Builder(mapType, keySize, valueSize, maxEntries);
        b.mapFlags = mapFlags;
        b.innerMapFd = innerMapFd;
        b.numaNode = numaNode;
        b.name = name;
        b.mapIfindex = mapIfindex;
        b.btfFd = btfFd;
        b.btfKeyTypeId = btfKeyTypeId;
        b.btfValueTypeId = btfValueTypeId;
        b.btfVmlinuxValueTypeId = btfVmlinuxValueTypeId;
        b.mapExtra = mapExtra;
        b.valueTypeBtfObjFd = valueTypeBtfObjFd;
        b.mapTokenFd = mapTokenFd;
        b.exclProgHash = exclProgHash;
        return b;
    }

    /** Builds a {@link MapCreateAttr}; unset fields are 0 / null. */
    public static final class Builder {
        private int mapType;
        private int keySize;
        private int valueSize;
        private int maxEntries;
        private int mapFlags;
        private int innerMapFd;
        private int numaNode;
        private String name;
        private int mapIfindex;
        private int btfFd;
        private int btfKeyTypeId;
        private int btfValueTypeId;
        private int btfVmlinuxValueTypeId;
        private long mapExtra;
        private int valueTypeBtfObjFd;
        private int mapTokenFd;
        private MemorySegment exclProgHash;

        private Builder(int mapType, int keySize, int valueSize, int maxEntries) {
            this.mapType = mapType;
            this.keySize = keySize;
            this.valueSize = valueSize;
            this.maxEntries = maxEntries;
        }

        public Builder mapType(int v) {
            mapType = v;
            return this;
        }

        public Builder keySize(int v) {
            keySize = v;
            return this;
        }

        public Builder valueSize(int v) {
            valueSize = v;
            return this;
        }

        public Builder maxEntries(int v) {
            maxEntries = v;
            return this;
        }

        public Builder mapFlags(int v) {
            mapFlags = v;
            return this;
        }

        /** The inner map template of a map-of-maps. */
        public Builder innerMapFd(int v) {
            innerMapFd = v;
            return this;
        }

        /** Needs {@code BPF_F_NUMA_NODE} in the flags to take effect. */
        public Builder numaNode(int v) {
            numaNode = v;
            return this;
        }

        public Builder name(String v) {
            name = v;
            return this;
        }

        public Builder mapIfindex(int v) {
            mapIfindex = v;
            return this;
        }

        public Builder btfFd(int v) {
            btfFd = v;
            return this;
        }

        public Builder btfKeyTypeId(int v) {
            btfKeyTypeId = v;
            return this;
        }

        public Builder btfValueTypeId(int v) {
            btfValueTypeId = v;
            return this;
        }

        public Builder btfVmlinuxValueTypeId(int v) {
            btfVmlinuxValueTypeId = v;
            return this;
        }

        /** Bloom filter: number of hashes in the low 4 bits; arena: the user-space address. */
        public Builder mapExtra(long v) {
            mapExtra = v;
            return this;
        }

        public Builder valueTypeBtfObjFd(int v) {
            valueTypeBtfObjFd = v;
            return this;
        }

        public Builder mapTokenFd(int v) {
            mapTokenFd = v;
            return this;
        }

        public Builder exclProgHash(MemorySegment v) {
            exclProgHash = v;
            return this;
        }

        public MapCreateAttr build() {
            return new MapCreateAttr(mapType, keySize, valueSize, maxEntries, mapFlags, innerMapFd, numaNode, name,
                    mapIfindex, btfFd, btfKeyTypeId, btfValueTypeId, btfVmlinuxValueTypeId, mapExtra,
                    valueTypeBtfObjFd, mapTokenFd, exclProgHash);
        }
    }

    @Override
    public String toString() {
        return "MapCreateAttr[type=" + mapType + ", key=" + keySize + ", value=" + valueSize + ", max=" + maxEntries
                + ", flags=0x" + Integer.toHexString(mapFlags) + (name != null ? ", name=" + name : "")
                + (innerMapFd != 0 ? ", inner_map_fd=" + innerMapFd : "") + (btfFd != 0 ? ", btf_fd=" + btfFd
                        + ", key_type=" + btfKeyTypeId + ", value_type=" + btfValueTypeId : "")
                + (mapExtra != 0 ? ", map_extra=" + mapExtra : "") + "]";
    }
}
