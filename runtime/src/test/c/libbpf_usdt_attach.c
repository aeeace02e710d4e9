// The libbpf side of UsdtDifferentialTest: loads usdt.bpf.o, attaches its programs with
// bpf_program__attach_usdt to the probes of the target binary (cookies 1..5, every process),
// runs the target with the given number of rounds, and prints what the programs recorded:
// the event count, then one line per event "cookie arg_cnt errs arg0 .. arg11".
// Usage: libbpf_usdt_attach OBJECT TARGET ROUNDS
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

struct usdt_event {
    long long cookie, arg_cnt, errs, args[12];
};

static struct bpf_link *attach(struct bpf_object *obj, const char *prog, const char *target, const char *name,
                               long long cookie) {
    LIBBPF_OPTS(bpf_usdt_opts, opts, .usdt_cookie = cookie);
    struct bpf_program *p = bpf_object__find_program_by_name(obj, prog);
    struct bpf_link *l = p ? bpf_program__attach_usdt(p, -1, target, "bpfkit", name, &opts) : NULL;
    if (!l) {
        fprintf(stderr, "attaching %s to bpfkit:%s failed\n", prog, name);
        exit(1);
    }
    return l;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s OBJECT TARGET ROUNDS\n", argv[0]);
        return 2;
    }
    struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
    if (!obj || bpf_object__load(obj)) {
        fprintf(stderr, "loading %s failed\n", argv[1]);
        return 1;
    }
    attach(obj, "on_probe", argv[2], "registers", 1);
    attach(obj, "on_probe", argv[2], "stack", 2);
    attach(obj, "on_probe", argv[2], "constants", 3);
    attach(obj, "on_probe", argv[2], "twice", 4);
    attach(obj, "on_guarded", argv[2], "guarded", 5);
    pid_t child = fork();
    if (child == 0) {
        execl(argv[2], argv[2], argv[3], (char *)NULL);
        _exit(127);
    }
    int status;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "target failed: status %d\n", status);
        return 1;
    }
    int count_fd = bpf_object__find_map_fd_by_name(obj, "event_count");
    int events_fd = bpf_object__find_map_fd_by_name(obj, "events");
    unsigned int zero = 0;
    unsigned long long count = 0;
    bpf_map_lookup_elem(count_fd, &zero, &count);
    printf("%llu\n", count);
    for (unsigned int i = 0; i < count && i < 64; i++) {
        struct usdt_event e;
        if (bpf_map_lookup_elem(events_fd, &i, &e)) {
            return 1;
        }
        printf("%lld %lld %lld", e.cookie, e.arg_cnt, e.errs);
        for (int a = 0; a < 12; a++) {
            printf(" %lld", e.args[a]);
        }
        printf("\n");
    }
    return 0;
}
