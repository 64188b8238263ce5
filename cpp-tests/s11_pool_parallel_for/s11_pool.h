// The interface of S11's side modules.
#pragma once
#ifdef __cplusplus
extern "C" {
#endif
typedef void (*s11_task)(int index, void* ctx);
// Runs task(i, ctx) for every i in [0, n) on the pool's threads and the caller; returns 0, or -1
// if the pool did not finish within timeout_ms (a hang made visible).
typedef int (*s11_parallel_for_fn)(int n, s11_task task, void* ctx, double timeout_ms);
#ifdef __cplusplus
}
#endif
