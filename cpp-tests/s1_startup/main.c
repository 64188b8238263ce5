// S1: side modules linked into the main module load at startup, in every thread, in the same
// order. A gap opened on the main thread before those loads shifts them there only.
#include "../harness/pd_check.h"
pd_fn s1_a_get(void);
pd_fn s1_b_get(void);
static void* worker(void* arg) {
  pd_probe("worker1", "s1_a_value", s1_a_get(), PD_ID(11));
  pd_probe("worker1", "s1_b_value", s1_b_get(), PD_ID(12));
  // The main thread's pointers, used in this thread.
  pd_fn* main_seen = (pd_fn*)arg;
  pd_probe("worker1", "main's s1_a_value", main_seen[0], PD_ID(11));
  pd_probe("worker1", "main's s1_b_value", main_seen[1], PD_ID(12));
  return 0;
}
int main(void) {
  static pd_fn seen[2];
  seen[0] = s1_a_get();
  seen[1] = s1_b_get();
  pd_probe("main", "s1_a_value", seen[0], PD_ID(11));
  pd_probe("main", "s1_b_value", seen[1], PD_ID(12));
  pthread_t t;
  pthread_create(&t, 0, worker, seen);
  pd_join(t, "worker1", 20000);
  pd_finish();
}
