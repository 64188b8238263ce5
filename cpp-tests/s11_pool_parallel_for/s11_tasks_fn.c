// Function-pointer tasks, loaded after the pool's threads are already running.
#include "s11_pool.h"
#include "../harness/pd_check.h"
void s11_square(int i, void* ctx) { ((int*)ctx)[i] = i * i + PD_ID(111); }
void s11_triple(int i, void* ctx) { ((int*)ctx)[i] = 3 * i + PD_ID(112); }
s11_task s11_fn_task(int which) { return which ? s11_triple : s11_square; }
int s11_fn_expected(int which, int i) { return which ? 3 * i + PD_ID(112) : i * i + PD_ID(111); }
