// S3: dlopen after the host opened gaps; the only worker is created afterwards and replays the
// load without the gaps.
#include <dlfcn.h>
#include "../harness/pd_check.h"
static pd_fn value, other, via_dlsym;
static void* worker(void* arg) {
  pd_probe("worker1", "s3_value", value, PD_ID(31));
  pd_probe("worker1", "s3_other", other, PD_ID(32));
  pd_probe("worker1", "s3_value via dlsym", via_dlsym, PD_ID(31));
  return 0;
}
int main(void) {
  pd_make_js_gaps(5);
  void* h = dlopen("s3_side.so", RTLD_NOW);
  if (!h) { printf("dlopen failed: %s\n", dlerror()); return 1; }
  value = ((pd_fn(*)(void))dlsym(h, "s3_get"))();
  other = ((pd_fn(*)(void))dlsym(h, "s3_get_other"))();
  via_dlsym = (pd_fn)dlsym(h, "s3_value");
  pd_probe("main", "s3_value", value, PD_ID(31));
  pd_probe("main", "s3_other", other, PD_ID(32));
  pd_probe("main", "s3_value via dlsym", via_dlsym, PD_ID(31));
  pthread_t t;
  pthread_create(&t, 0, worker, 0);
  pd_join(t, "worker1", 20000);
  pd_finish();
}
