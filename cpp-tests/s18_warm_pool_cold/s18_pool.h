// The C interface of S18/S19's pool module: the blog author's WarmPool (warm_pool.h, used in
// place from ../shared/third_party/warm_pool) in a side module, as a Python extension would own it.
#pragma once
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
typedef int (*s18_task)(int index);
// Starts the pool's threads; returns at once (they become ready on their own).
void s18_pool_start(int threads);
int s18_pool_ready(void);
// cold: workers sleep in an unbounded futex wait between parallel_fors; warm: they spin, and
// cool down (sleep) on their own after cool_after spins of ~5,000 iterations each.
void s18_pool_warm(int warm, int cool_after);
// out[i] = task(i) for every i in [0, n), on the pool's threads and the caller, each call made
// through the calling thread's own table from JS (a wrong slot is an error, not a dead worker).
// Returns how many calls failed; the first failure's message goes to err (err_len bytes).
int s18_parallel_for(int n, uintptr_t task, int* out, char* err, int err_len);
#ifdef __cplusplus
}
#endif
