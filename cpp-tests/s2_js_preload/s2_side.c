#include "../harness/pd_check.h"
int s2_value(void) { return PD_ID(21); }
static int s2_hidden(void) { return PD_ID(22); }
pd_fn s2_get(void) { return s2_value; }
pd_fn s2_get_hidden(void) { return s2_hidden; }

typedef void (*report_fn)(const char* thread);
static report_fn report;
static void* s2_thread(void* label) { report((const char*)label); return 0; }

// Threads created by code in this module: each reports through the main module's callback.
int s2_run(report_fn cb) {
  report = cb;
  static const char* labels[2] = {"s2-thread1", "s2-thread2"};
  pthread_t t[2];
  for (int i = 0; i < 2; i++) pthread_create(&t[i], 0, s2_thread, (void*)labels[i]);
  int ok = 1;
  for (int i = 0; i < 2; i++) ok &= pd_join(t[i], labels[i], 20000);
  return ok;
}
