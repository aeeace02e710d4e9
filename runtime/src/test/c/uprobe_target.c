/*
 * uprobe_target.c -- a tiny shared library whose functions the attach tests probe and call
 * through FFM: bpfkit_add(a, b) = a + b, bpfkit_mul(a, b) = a * b. noinline and a volatile
 * sink keep each call a real call into the library.
 */
volatile int bpfkit_sink;

__attribute__((noinline)) int bpfkit_add(int a, int b)
{
	bpfkit_sink = a;
	return a + b;
}

__attribute__((noinline)) int bpfkit_mul(int a, int b)
{
	bpfkit_sink = b;
	return a * b;
}
