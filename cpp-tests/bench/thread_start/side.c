// A typical side module (exported functions only, GOT.func slots), built once and loaded 132
// times under different names by the benchmark.
int bench_value(void) { return 1; }
int (*bench_get(void))(void) { return bench_value; }
