/*
 * Prints the C compiler's view of the kernel structures bpfkit lays out in Java
 * (io.bpfkit.uapi.BpfLayouts) and of the constants it uses, for BpfLayoutDifferentialTest.
 * Needs only the installed UAPI headers. The kernel constants are not listed here: the test
 * writes a K() line for each name of object/src/main/uapi/names.txt at @UAPI_NAMES@.
 *
 * Output lines:  <layout> <member> <offset> <size>
 *                <layout> __size__ <sizeof> 0
 *                const <JavaClass>.<JAVA_FIELD> <value> 0
 *                bit <layout> <member> <bit index from the start of the struct> 0
 *
 * Every entry is one line. The installed headers may be older than the kernel bpfkit targets:
 * the test removes the lines of members and constants those headers lack and reports them as
 * skipped, so keep each entry on a line of its own.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>

/* a member of a union bpf_attr variant: P is the path of the named sub-struct, e.g. "batch." */
#define A(L, P, M) printf("%s %s %zu %zu\n", #L, #M, offsetof(union bpf_attr, P M), \
                          sizeof(((union bpf_attr *)0)->P M))
/* a member of a struct */
#define S(L, T, M) printf("%s %s %zu %zu\n", #L, #M, offsetof(T, M), sizeof(((T *)0)->M))
/* the size of a struct */
#define Z(L, T) printf("%s __size__ %zu 0\n", #L, sizeof(T))
/* a constant the Java code defines as <CLS>.<JF> */
#define K(CLS, JF, CN) printf("const %s.%s %lld 0\n", #CLS, #JF, (long long)(CN))
/* a one-bit field: set it in a zeroed struct, report where the bit landed */
#define BIT(L, T, M) do { \
        T v_; \
        memset(&v_, 0, sizeof v_); \
        v_.M = 1; \
        printf("bit %s %s %d 0\n", #L, #M, first_bit(&v_, sizeof v_)); \
    } while (0)

static int first_bit(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i]) {
            return (int)(i * 8) + __builtin_ctz(b[i]);
        }
    }
    return -1;
}

int main(void)
{
    /* map_create */
    A(map_create, , map_type);
    A(map_create, , key_size);
    A(map_create, , value_size);
    A(map_create, , max_entries);
    A(map_create, , map_flags);
    A(map_create, , inner_map_fd);
    A(map_create, , numa_node);
    A(map_create, , map_name);
    A(map_create, , map_ifindex);
    A(map_create, , btf_fd);
    A(map_create, , btf_key_type_id);
    A(map_create, , btf_value_type_id);
    A(map_create, , btf_vmlinux_value_type_id);
    A(map_create, , map_extra);
    A(map_create, , value_type_btf_obj_fd);
    A(map_create, , map_token_fd);
    A(map_create, , excl_prog_hash);
    A(map_create, , excl_prog_hash_size);
    /* map_elem */
    A(map_elem, , map_fd);
    A(map_elem, , key);
    A(map_elem, , value);
    A(map_elem, , flags);
    /* map_batch */
    A(map_batch, batch., in_batch);
    A(map_batch, batch., out_batch);
    A(map_batch, batch., keys);
    A(map_batch, batch., values);
    A(map_batch, batch., count);
    A(map_batch, batch., map_fd);
    A(map_batch, batch., elem_flags);
    A(map_batch, batch., flags);
    /* prog_load */
    A(prog_load, , prog_type);
    A(prog_load, , insn_cnt);
    A(prog_load, , insns);
    A(prog_load, , license);
    A(prog_load, , log_level);
    A(prog_load, , log_size);
    A(prog_load, , log_buf);
    A(prog_load, , kern_version);
    A(prog_load, , prog_flags);
    A(prog_load, , prog_name);
    A(prog_load, , prog_ifindex);
    A(prog_load, , expected_attach_type);
    A(prog_load, , prog_btf_fd);
    A(prog_load, , func_info_rec_size);
    A(prog_load, , func_info);
    A(prog_load, , func_info_cnt);
    A(prog_load, , line_info_rec_size);
    A(prog_load, , line_info);
    A(prog_load, , line_info_cnt);
    A(prog_load, , attach_btf_id);
    A(prog_load, , attach_prog_fd);
    A(prog_load, , core_relo_cnt);
    A(prog_load, , fd_array);
    A(prog_load, , core_relos);
    A(prog_load, , core_relo_rec_size);
    A(prog_load, , log_true_size);
    A(prog_load, , prog_token_fd);
    A(prog_load, , fd_array_cnt);
    A(prog_load, , signature);
    A(prog_load, , signature_size);
    A(prog_load, , keyring_id);
    /* obj */
    A(obj, , pathname);
    A(obj, , bpf_fd);
    A(obj, , file_flags);
    A(obj, , path_fd);
    /* prog_attach */
    A(prog_attach, , target_fd);
    A(prog_attach, , attach_bpf_fd);
    A(prog_attach, , attach_type);
    A(prog_attach, , attach_flags);
    A(prog_attach, , replace_bpf_fd);
    A(prog_attach, , relative_fd);
    A(prog_attach, , expected_revision);
    /* test */
    A(test, test., prog_fd);
    A(test, test., retval);
    A(test, test., data_size_in);
    A(test, test., data_size_out);
    A(test, test., data_in);
    A(test, test., data_out);
    A(test, test., repeat);
    A(test, test., duration);
    A(test, test., ctx_size_in);
    A(test, test., ctx_size_out);
    A(test, test., ctx_in);
    A(test, test., ctx_out);
    A(test, test., flags);
    A(test, test., cpu);
    A(test, test., batch_size);
    /* get_id */
    A(get_id, , start_id);
    A(get_id, , next_id);
    A(get_id, , open_flags);
    A(get_id, , fd_by_id_token_fd);
    /* info */
    A(info, info., bpf_fd);
    A(info, info., info_len);
    A(info, info., info);
    /* query */
    A(query, query., target_fd);
    A(query, query., attach_type);
    A(query, query., query_flags);
    A(query, query., attach_flags);
    A(query, query., prog_ids);
    A(query, query., prog_cnt);
    A(query, query., prog_attach_flags);
    A(query, query., link_ids);
    A(query, query., link_attach_flags);
    A(query, query., revision);
    /* raw_tracepoint */
    A(raw_tracepoint, raw_tracepoint., name);
    A(raw_tracepoint, raw_tracepoint., prog_fd);
    A(raw_tracepoint, raw_tracepoint., cookie);
    /* btf_load */
    A(btf_load, , btf);
    A(btf_load, , btf_log_buf);
    A(btf_load, , btf_size);
    A(btf_load, , btf_log_size);
    A(btf_load, , btf_log_level);
    A(btf_load, , btf_log_true_size);
    A(btf_load, , btf_flags);
    A(btf_load, , btf_token_fd);
    /* task_fd_query */
    A(task_fd_query, task_fd_query., pid);
    A(task_fd_query, task_fd_query., fd);
    A(task_fd_query, task_fd_query., flags);
    A(task_fd_query, task_fd_query., buf_len);
    A(task_fd_query, task_fd_query., buf);
    A(task_fd_query, task_fd_query., prog_id);
    A(task_fd_query, task_fd_query., fd_type);
    A(task_fd_query, task_fd_query., probe_offset);
    A(task_fd_query, task_fd_query., probe_addr);
    /* link_create */
    A(link_create, link_create., prog_fd);
    A(link_create, link_create., target_fd);
    A(link_create, link_create., attach_type);
    A(link_create, link_create., flags);
    A(link_create, link_create., target_btf_id);
    /* link_create_iter */
    A(link_create_iter, link_create., prog_fd);
    A(link_create_iter, link_create., target_fd);
    A(link_create_iter, link_create., attach_type);
    A(link_create_iter, link_create., flags);
    A(link_create_iter, link_create., iter_info);
    A(link_create_iter, link_create., iter_info_len);
    /* link_create_perf_event */
    A(link_create_perf_event, link_create., prog_fd);
    A(link_create_perf_event, link_create., target_fd);
    A(link_create_perf_event, link_create., attach_type);
    A(link_create_perf_event, link_create., flags);
    A(link_create_perf_event, link_create., perf_event.bpf_cookie);
    /* link_create_kprobe_multi */
    A(link_create_kprobe_multi, link_create., prog_fd);
    A(link_create_kprobe_multi, link_create., target_fd);
    A(link_create_kprobe_multi, link_create., attach_type);
    A(link_create_kprobe_multi, link_create., flags);
    A(link_create_kprobe_multi, link_create., kprobe_multi.flags);
    A(link_create_kprobe_multi, link_create., kprobe_multi.cnt);
    A(link_create_kprobe_multi, link_create., kprobe_multi.syms);
    A(link_create_kprobe_multi, link_create., kprobe_multi.addrs);
    A(link_create_kprobe_multi, link_create., kprobe_multi.cookies);
    /* link_create_tracing */
    A(link_create_tracing, link_create., prog_fd);
    A(link_create_tracing, link_create., target_fd);
    A(link_create_tracing, link_create., attach_type);
    A(link_create_tracing, link_create., flags);
    A(link_create_tracing, link_create., tracing.target_btf_id);
    A(link_create_tracing, link_create., tracing.cookie);
    /* link_create_netfilter */
    A(link_create_netfilter, link_create., prog_fd);
    A(link_create_netfilter, link_create., target_fd);
    A(link_create_netfilter, link_create., attach_type);
    A(link_create_netfilter, link_create., flags);
    A(link_create_netfilter, link_create., netfilter.pf);
    A(link_create_netfilter, link_create., netfilter.hooknum);
    A(link_create_netfilter, link_create., netfilter.priority);
    A(link_create_netfilter, link_create., netfilter.flags);
    /* link_create_tcx */
    A(link_create_tcx, link_create., prog_fd);
    A(link_create_tcx, link_create., target_fd);
    A(link_create_tcx, link_create., attach_type);
    A(link_create_tcx, link_create., flags);
    A(link_create_tcx, link_create., tcx.relative_fd);
    A(link_create_tcx, link_create., tcx.expected_revision);
    /* link_create_uprobe_multi */
    A(link_create_uprobe_multi, link_create., prog_fd);
    A(link_create_uprobe_multi, link_create., target_fd);
    A(link_create_uprobe_multi, link_create., attach_type);
    A(link_create_uprobe_multi, link_create., flags);
    A(link_create_uprobe_multi, link_create., uprobe_multi.path);
    A(link_create_uprobe_multi, link_create., uprobe_multi.offsets);
    A(link_create_uprobe_multi, link_create., uprobe_multi.ref_ctr_offsets);
    A(link_create_uprobe_multi, link_create., uprobe_multi.cookies);
    A(link_create_uprobe_multi, link_create., uprobe_multi.cnt);
    A(link_create_uprobe_multi, link_create., uprobe_multi.flags);
    A(link_create_uprobe_multi, link_create., uprobe_multi.pid);
    /* link_update */
    A(link_update, link_update., link_fd);
    A(link_update, link_update., new_prog_fd);
    A(link_update, link_update., flags);
    A(link_update, link_update., old_prog_fd);
    /* link_detach */
    A(link_detach, link_detach., link_fd);
    /* enable_stats */
    A(enable_stats, enable_stats., type);
    /* iter_create */
    A(iter_create, iter_create., link_fd);
    A(iter_create, iter_create., flags);
    /* prog_bind_map */
    A(prog_bind_map, prog_bind_map., prog_fd);
    A(prog_bind_map, prog_bind_map., map_fd);
    A(prog_bind_map, prog_bind_map., flags);
    /* token_create */
    A(token_create, token_create., flags);
    A(token_create, token_create., bpffs_fd);
    /* bpf_prog_info */
    S(bpf_prog_info, struct bpf_prog_info, type);
    S(bpf_prog_info, struct bpf_prog_info, id);
    S(bpf_prog_info, struct bpf_prog_info, tag);
    S(bpf_prog_info, struct bpf_prog_info, jited_prog_len);
    S(bpf_prog_info, struct bpf_prog_info, xlated_prog_len);
    S(bpf_prog_info, struct bpf_prog_info, jited_prog_insns);
    S(bpf_prog_info, struct bpf_prog_info, xlated_prog_insns);
    S(bpf_prog_info, struct bpf_prog_info, load_time);
    S(bpf_prog_info, struct bpf_prog_info, created_by_uid);
    S(bpf_prog_info, struct bpf_prog_info, nr_map_ids);
    S(bpf_prog_info, struct bpf_prog_info, map_ids);
    S(bpf_prog_info, struct bpf_prog_info, name);
    S(bpf_prog_info, struct bpf_prog_info, ifindex);
    S(bpf_prog_info, struct bpf_prog_info, netns_dev);
    S(bpf_prog_info, struct bpf_prog_info, netns_ino);
    S(bpf_prog_info, struct bpf_prog_info, nr_jited_ksyms);
    S(bpf_prog_info, struct bpf_prog_info, nr_jited_func_lens);
    S(bpf_prog_info, struct bpf_prog_info, jited_ksyms);
    S(bpf_prog_info, struct bpf_prog_info, jited_func_lens);
    S(bpf_prog_info, struct bpf_prog_info, btf_id);
    S(bpf_prog_info, struct bpf_prog_info, func_info_rec_size);
    S(bpf_prog_info, struct bpf_prog_info, func_info);
    S(bpf_prog_info, struct bpf_prog_info, nr_func_info);
    S(bpf_prog_info, struct bpf_prog_info, nr_line_info);
    S(bpf_prog_info, struct bpf_prog_info, line_info);
    S(bpf_prog_info, struct bpf_prog_info, jited_line_info);
    S(bpf_prog_info, struct bpf_prog_info, nr_jited_line_info);
    S(bpf_prog_info, struct bpf_prog_info, line_info_rec_size);
    S(bpf_prog_info, struct bpf_prog_info, jited_line_info_rec_size);
    S(bpf_prog_info, struct bpf_prog_info, nr_prog_tags);
    S(bpf_prog_info, struct bpf_prog_info, prog_tags);
    S(bpf_prog_info, struct bpf_prog_info, run_time_ns);
    S(bpf_prog_info, struct bpf_prog_info, run_cnt);
    S(bpf_prog_info, struct bpf_prog_info, recursion_misses);
    S(bpf_prog_info, struct bpf_prog_info, verified_insns);
    S(bpf_prog_info, struct bpf_prog_info, attach_btf_obj_id);
    S(bpf_prog_info, struct bpf_prog_info, attach_btf_id);
    Z(bpf_prog_info, struct bpf_prog_info);
    /* bpf_map_info */
    S(bpf_map_info, struct bpf_map_info, type);
    S(bpf_map_info, struct bpf_map_info, id);
    S(bpf_map_info, struct bpf_map_info, key_size);
    S(bpf_map_info, struct bpf_map_info, value_size);
    S(bpf_map_info, struct bpf_map_info, max_entries);
    S(bpf_map_info, struct bpf_map_info, map_flags);
    S(bpf_map_info, struct bpf_map_info, name);
    S(bpf_map_info, struct bpf_map_info, ifindex);
    S(bpf_map_info, struct bpf_map_info, btf_vmlinux_value_type_id);
    S(bpf_map_info, struct bpf_map_info, netns_dev);
    S(bpf_map_info, struct bpf_map_info, netns_ino);
    S(bpf_map_info, struct bpf_map_info, btf_id);
    S(bpf_map_info, struct bpf_map_info, btf_key_type_id);
    S(bpf_map_info, struct bpf_map_info, btf_value_type_id);
    S(bpf_map_info, struct bpf_map_info, btf_vmlinux_id);
    S(bpf_map_info, struct bpf_map_info, map_extra);
    S(bpf_map_info, struct bpf_map_info, hash);
    S(bpf_map_info, struct bpf_map_info, hash_size);
    Z(bpf_map_info, struct bpf_map_info);
    /* bpf_btf_info */
    S(bpf_btf_info, struct bpf_btf_info, btf);
    S(bpf_btf_info, struct bpf_btf_info, btf_size);
    S(bpf_btf_info, struct bpf_btf_info, id);
    S(bpf_btf_info, struct bpf_btf_info, name);
    S(bpf_btf_info, struct bpf_btf_info, name_len);
    S(bpf_btf_info, struct bpf_btf_info, kernel_btf);
    Z(bpf_btf_info, struct bpf_btf_info);
    /* bpf_link_info */
    S(bpf_link_info, struct bpf_link_info, type);
    S(bpf_link_info, struct bpf_link_info, id);
    S(bpf_link_info, struct bpf_link_info, prog_id);
    Z(bpf_link_info, struct bpf_link_info);
    /* bpf_link_info_raw_tracepoint */
    S(bpf_link_info_raw_tracepoint, struct bpf_link_info, type);
    S(bpf_link_info_raw_tracepoint, struct bpf_link_info, id);
    S(bpf_link_info_raw_tracepoint, struct bpf_link_info, prog_id);
    S(bpf_link_info_raw_tracepoint, struct bpf_link_info, raw_tracepoint.tp_name);
    S(bpf_link_info_raw_tracepoint, struct bpf_link_info, raw_tracepoint.tp_name_len);
    S(bpf_link_info_raw_tracepoint, struct bpf_link_info, raw_tracepoint.cookie);
    /* bpf_link_info_tracing */
    S(bpf_link_info_tracing, struct bpf_link_info, type);
    S(bpf_link_info_tracing, struct bpf_link_info, id);
    S(bpf_link_info_tracing, struct bpf_link_info, prog_id);
    S(bpf_link_info_tracing, struct bpf_link_info, tracing.attach_type);
    S(bpf_link_info_tracing, struct bpf_link_info, tracing.target_obj_id);
    S(bpf_link_info_tracing, struct bpf_link_info, tracing.target_btf_id);
    S(bpf_link_info_tracing, struct bpf_link_info, tracing.cookie);
    /* bpf_link_info_perf_event */
    S(bpf_link_info_perf_event, struct bpf_link_info, type);
    S(bpf_link_info_perf_event, struct bpf_link_info, id);
    S(bpf_link_info_perf_event, struct bpf_link_info, prog_id);
    S(bpf_link_info_perf_event, struct bpf_link_info, perf_event.type);
    S(bpf_link_info_perf_event, struct bpf_link_info, perf_event.event.config);
    S(bpf_link_info_perf_event, struct bpf_link_info, perf_event.event.type);
    S(bpf_link_info_perf_event, struct bpf_link_info, perf_event.event.cookie);
    /* bpf_link_info_perf_event_tracepoint */
    S(bpf_link_info_perf_event_tracepoint, struct bpf_link_info, type);
    S(bpf_link_info_perf_event_tracepoint, struct bpf_link_info, id);
    S(bpf_link_info_perf_event_tracepoint, struct bpf_link_info, prog_id);
    S(bpf_link_info_perf_event_tracepoint, struct bpf_link_info, perf_event.type);
    S(bpf_link_info_perf_event_tracepoint, struct bpf_link_info, perf_event.tracepoint.tp_name);
    S(bpf_link_info_perf_event_tracepoint, struct bpf_link_info, perf_event.tracepoint.name_len);
    S(bpf_link_info_perf_event_tracepoint, struct bpf_link_info, perf_event.tracepoint.cookie);
    /* bpf_link_info_cgroup */
    S(bpf_link_info_cgroup, struct bpf_link_info, type);
    S(bpf_link_info_cgroup, struct bpf_link_info, id);
    S(bpf_link_info_cgroup, struct bpf_link_info, prog_id);
    S(bpf_link_info_cgroup, struct bpf_link_info, cgroup.cgroup_id);
    S(bpf_link_info_cgroup, struct bpf_link_info, cgroup.attach_type);
    /* bpf_link_info_netns */
    S(bpf_link_info_netns, struct bpf_link_info, type);
    S(bpf_link_info_netns, struct bpf_link_info, id);
    S(bpf_link_info_netns, struct bpf_link_info, prog_id);
    S(bpf_link_info_netns, struct bpf_link_info, netns.netns_ino);
    S(bpf_link_info_netns, struct bpf_link_info, netns.attach_type);
    /* bpf_link_info_xdp */
    S(bpf_link_info_xdp, struct bpf_link_info, type);
    S(bpf_link_info_xdp, struct bpf_link_info, id);
    S(bpf_link_info_xdp, struct bpf_link_info, prog_id);
    S(bpf_link_info_xdp, struct bpf_link_info, xdp.ifindex);
    /* bpf_link_info_struct_ops */
    S(bpf_link_info_struct_ops, struct bpf_link_info, type);
    S(bpf_link_info_struct_ops, struct bpf_link_info, id);
    S(bpf_link_info_struct_ops, struct bpf_link_info, prog_id);
    S(bpf_link_info_struct_ops, struct bpf_link_info, struct_ops.map_id);
    /* bpf_link_info_sockmap */
    S(bpf_link_info_sockmap, struct bpf_link_info, type);
    S(bpf_link_info_sockmap, struct bpf_link_info, id);
    S(bpf_link_info_sockmap, struct bpf_link_info, prog_id);
    S(bpf_link_info_sockmap, struct bpf_link_info, sockmap.map_id);
    S(bpf_link_info_sockmap, struct bpf_link_info, sockmap.attach_type);
    /* bpf_link_info_tcx */
    S(bpf_link_info_tcx, struct bpf_link_info, type);
    S(bpf_link_info_tcx, struct bpf_link_info, id);
    S(bpf_link_info_tcx, struct bpf_link_info, prog_id);
    S(bpf_link_info_tcx, struct bpf_link_info, tcx.ifindex);
    S(bpf_link_info_tcx, struct bpf_link_info, tcx.attach_type);
    /* perf_event_attr */
    S(perf_event_attr, struct perf_event_attr, type);
    S(perf_event_attr, struct perf_event_attr, size);
    S(perf_event_attr, struct perf_event_attr, config);
    S(perf_event_attr, struct perf_event_attr, sample_period);
    S(perf_event_attr, struct perf_event_attr, sample_type);
    S(perf_event_attr, struct perf_event_attr, read_format);
    S(perf_event_attr, struct perf_event_attr, wakeup_events);
    S(perf_event_attr, struct perf_event_attr, bp_type);
    S(perf_event_attr, struct perf_event_attr, config1);
    S(perf_event_attr, struct perf_event_attr, config2);
    S(perf_event_attr, struct perf_event_attr, branch_sample_type);
    S(perf_event_attr, struct perf_event_attr, sample_regs_user);
    S(perf_event_attr, struct perf_event_attr, sample_stack_user);
    S(perf_event_attr, struct perf_event_attr, clockid);
    S(perf_event_attr, struct perf_event_attr, sample_regs_intr);
    S(perf_event_attr, struct perf_event_attr, aux_watermark);
    S(perf_event_attr, struct perf_event_attr, sample_max_stack);
    S(perf_event_attr, struct perf_event_attr, __reserved_2);
    S(perf_event_attr, struct perf_event_attr, aux_sample_size);
    S(perf_event_attr, struct perf_event_attr, aux_action);
    S(perf_event_attr, struct perf_event_attr, sig_data);
    S(perf_event_attr, struct perf_event_attr, config3);
    Z(perf_event_attr, struct perf_event_attr);

    /* constants: the test inserts a K() line for each name of object/src/main/uapi/names.txt here */
    /* @UAPI_NAMES@ */
    K(Syscalls, PROT_READ, PROT_READ);
    K(Syscalls, PROT_WRITE, PROT_WRITE);
    K(Syscalls, MAP_SHARED, MAP_SHARED);
    K(Syscalls, MAP_PRIVATE, MAP_PRIVATE);
    K(Syscalls, MAP_FIXED, MAP_FIXED);
    K(Syscalls, MAP_ANONYMOUS, MAP_ANONYMOUS);
    K(Syscalls, EPOLL_CLOEXEC, EPOLL_CLOEXEC);
    K(Syscalls, EPOLL_CTL_ADD, EPOLL_CTL_ADD);
    K(Syscalls, EPOLL_CTL_DEL, EPOLL_CTL_DEL);
    K(Syscalls, EPOLL_CTL_MOD, EPOLL_CTL_MOD);
    K(Syscalls, EPOLLIN, EPOLLIN);
    K(Syscalls, EPOLLOUT, EPOLLOUT);
    K(Syscalls, EPOLLERR, EPOLLERR);
    K(Syscalls, EPOLLHUP, EPOLLHUP);
    K(Syscalls, EPOLLET, EPOLLET);
    K(Syscalls, RLIMIT_MEMLOCK, RLIMIT_MEMLOCK);
    K(Syscalls, RLIMIT_NOFILE, RLIMIT_NOFILE);
    K(Syscalls, O_RDONLY, O_RDONLY);
    K(Syscalls, O_WRONLY, O_WRONLY);
    K(Syscalls, O_RDWR, O_RDWR);
    K(Syscalls, O_CLOEXEC, O_CLOEXEC);
    K(Syscalls, O_DIRECTORY, O_DIRECTORY);

    /* bit fields */
    BIT(perf_event_attr, struct perf_event_attr, disabled);
    BIT(perf_event_attr, struct perf_event_attr, inherit);
    BIT(perf_event_attr, struct perf_event_attr, pinned);
    BIT(perf_event_attr, struct perf_event_attr, exclusive);
    BIT(perf_event_attr, struct perf_event_attr, exclude_user);
    BIT(perf_event_attr, struct perf_event_attr, exclude_kernel);
    BIT(perf_event_attr, struct perf_event_attr, exclude_hv);
    BIT(perf_event_attr, struct perf_event_attr, exclude_idle);
    BIT(perf_event_attr, struct perf_event_attr, mmap);
    BIT(perf_event_attr, struct perf_event_attr, comm);
    BIT(perf_event_attr, struct perf_event_attr, freq);
    BIT(perf_event_attr, struct perf_event_attr, inherit_stat);
    BIT(perf_event_attr, struct perf_event_attr, enable_on_exec);
    BIT(perf_event_attr, struct perf_event_attr, task);
    BIT(perf_event_attr, struct perf_event_attr, watermark);
    BIT(perf_event_attr, struct perf_event_attr, precise_ip);
    BIT(perf_event_attr, struct perf_event_attr, mmap_data);
    BIT(perf_event_attr, struct perf_event_attr, sample_id_all);
    BIT(perf_event_attr, struct perf_event_attr, exclude_host);
    BIT(perf_event_attr, struct perf_event_attr, exclude_guest);
    BIT(perf_event_attr, struct perf_event_attr, exclude_callchain_kernel);
    BIT(perf_event_attr, struct perf_event_attr, exclude_callchain_user);
    BIT(perf_event_attr, struct perf_event_attr, mmap2);
    BIT(perf_event_attr, struct perf_event_attr, comm_exec);
    BIT(perf_event_attr, struct perf_event_attr, use_clockid);
    BIT(perf_event_attr, struct perf_event_attr, context_switch);
    BIT(perf_event_attr, struct perf_event_attr, write_backward);
    BIT(perf_event_attr, struct perf_event_attr, namespaces);
    BIT(perf_event_attr, struct perf_event_attr, ksymbol);
    BIT(perf_event_attr, struct perf_event_attr, bpf_event);
    BIT(perf_event_attr, struct perf_event_attr, aux_output);
    BIT(perf_event_attr, struct perf_event_attr, cgroup);
    BIT(perf_event_attr, struct perf_event_attr, text_poke);
    BIT(perf_event_attr, struct perf_event_attr, build_id);
    BIT(perf_event_attr, struct perf_event_attr, inherit_thread);
    BIT(perf_event_attr, struct perf_event_attr, remove_on_exec);
    BIT(perf_event_attr, struct perf_event_attr, sigtrap);
    BIT(bpf_prog_info, struct bpf_prog_info, gpl_compatible);
    return 0;
}
