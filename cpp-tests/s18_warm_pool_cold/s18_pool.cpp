#include <atomic>
#include <string.h>
#include "warm_pool.h"
#include "../harness/pd_check.h"
#include "s18_pool.h"

static WarmPool* pool;

extern "C" void s18_pool_start(int threads) { pool = new WarmPool(threads); }
extern "C" int s18_pool_ready(void) { return pool ? pool->num_ready_threads() : 0; }
extern "C" void s18_pool_warm(int warm, int cool_after) { pool->warm(warm != 0, cool_after); }

extern "C" int s18_parallel_for(int n, uintptr_t task, int* out, char* err, int err_len) {
  std::atomic<int> failed(0);
  pool->parallel_for(0, n, [&](size_t i) {
    char why[PD_ERR_LEN];
    out[i] = pd_call_slot_with(task, 1, (int)i, why);
    if (why[0] && failed.fetch_add(1) == 0) snprintf(err, err_len, "%s", why);
  });
  return failed.load();
}
