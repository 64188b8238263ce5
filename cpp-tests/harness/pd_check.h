// Conformance harness: does a function pointer resolve to the same function in every thread?
//
// Every probed function is `int f(void)` and returns a distinct id (PD_ID). A thread probes a
// pointer by calling it from JS inside try/catch, so a wrong slot becomes a recorded failure
// (wrong id, null slot, out-of-bounds trap) instead of a dead worker. Results live in shared
// memory; only the main thread prints them, once every thread is done, because printf from a
// worker is not reliably flushed before exit.
//
// Output, parsed by jest/conformance.test.js:
//   PDCHECK {"thread":"worker1","check":"side_value","slot":47,"expected":1001,"actual":1001,"error":""}
//   PDRESULT pass 12/12   |   PDRESULT fail 3/12
#pragma once
#include <dlfcn.h>
#include <emscripten.h>
#include <emscripten/threading.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int (*pd_fn)(void);

#define PD_MAX_RESULTS 512
#define PD_ERR_LEN 160
#define PD_TRAPPED (-2147483647 - 1)

typedef struct {
  char thread[24];
  char check[48];
  uintptr_t slot;
  int expected;
  int actual;
  char error[PD_ERR_LEN];
} pd_result;

// Shared by all threads: memory is one SharedArrayBuffer, only the table is per thread.
static pd_result pd_results[PD_MAX_RESULTS];
static _Atomic int pd_nresults;

// Calls slot `fp` through this thread's own table, with one int argument `arg` when `with_arg`
// (a trampoline's `int (*)(int)`), else none. Never traps: JS catches and reports.
static inline int pd_call_slot_with(uintptr_t fp, int with_arg, int arg, char* err) {
  err[0] = 0;
  return EM_ASM_INT({
    try {
      // A MEMORY64 build's table is a table64: BigInt length and indices.
      var slot = typeof wasmTable.length == 'bigint' ? BigInt($0) : $0;
      if (slot >= wasmTable.length) throw new Error('table index is out of bounds (slot ' + $0 + ', table length ' + wasmTable.length + ')');
      var f = wasmTable.get(slot);
      if (!f) throw new Error('null function in slot ' + $0);
      return ($3 ? f($4) : f()) | 0;
    } catch (e) {
      var msg = String(e && e.message || e);
      var bytes = Math.min(msg.length, $2 - 1);
      for (var i = 0; i < bytes; i++) HEAPU8[$1 + i] = msg.charCodeAt(i) & 0x7f;
      HEAPU8[$1 + bytes] = 0;
      return -2147483648;
    }
  }, fp, err, PD_ERR_LEN, with_arg, arg);
}

static inline int pd_call_slot(uintptr_t fp, char* err) {
  return pd_call_slot_with(fp, 0, 0, err);
}

static inline void pd_record(const char* thread, const char* check, uintptr_t slot, int expected,
                             int actual, const char* err) {
  int i = atomic_fetch_add(&pd_nresults, 1);
  if (i >= PD_MAX_RESULTS) return;
  pd_result* r = &pd_results[i];
  snprintf(r->thread, sizeof r->thread, "%s", thread);
  snprintf(r->check, sizeof r->check, "%s", check);
  r->slot = slot;
  r->expected = expected;
  r->actual = actual;
  snprintf(r->error, sizeof r->error, "%s", err ? err : "");
}

// Probe `fp` in the calling thread and record whether it returned `expected`.
static inline int pd_probe(const char* thread, const char* check, pd_fn fp, int expected) {
  char err[PD_ERR_LEN];
  int actual = pd_call_slot((uintptr_t)fp, err);
  if (actual == PD_TRAPPED && err[0] == 0) snprintf(err, sizeof err, "returned the trap sentinel");
  pd_record(thread, check, (uintptr_t)fp, expected, actual, err);
  return actual == expected && !err[0];
}

// Probe `fp` expecting the call to fail with an error whose message contains `must_contain`.
static inline void pd_probe_error(const char* thread, const char* check, pd_fn fp, const char* must_contain) {
  char err[PD_ERR_LEN];
  int actual = pd_call_slot((uintptr_t)fp, err);
  if (!err[0]) {
    char what[PD_ERR_LEN];
    snprintf(what, sizeof what, "expected an error containing '%s', but the call returned %d", must_contain, actual);
    pd_record(thread, check, (uintptr_t)fp, 1, 0, what);
  } else if (!strstr(err, must_contain)) {
    char what[PD_ERR_LEN];
    snprintf(what, sizeof what, "wrong error: %s", err);
    pd_record(thread, check, (uintptr_t)fp, 1, 0, what);
  } else {
    pd_record(thread, check, (uintptr_t)fp, 1, 1, "");
  }
}

// Record a plain equality (e.g. &f seen in two threads, or a value computed through a callback).
static inline void pd_expect_eq(const char* thread, const char* check, uintptr_t slot, int expected,
                                int actual) {
  pd_record(thread, check, slot, expected, actual, "");
}

// Main thread only: print the results recorded since the last call (the part of pd_finish that a
// scenario expecting its process to be stopped by an error calls before that happens).
static int pd_printed;
static inline int pd_print_checks(void) {
  int n = atomic_load(&pd_nresults), failed = 0;
  if (n > PD_MAX_RESULTS) n = PD_MAX_RESULTS;
  for (int i = 0; i < n; i++) {
    pd_result* r = &pd_results[i];
    int ok = r->expected == r->actual && !r->error[0];
    failed += !ok;
    if (i < pd_printed) continue;
    printf("PDCHECK {\"thread\":\"%s\",\"check\":\"%s\",\"slot\":%lu,\"expected\":%d,\"actual\":%d,"
           "\"error\":\"",
           r->thread, r->check, (unsigned long)r->slot, r->expected, r->actual);
    for (const char* c = r->error; *c; c++) putchar(*c == '"' || *c == '\\' ? '\'' : *c);
    printf("\"}\n");
  }
  pd_printed = n;
  fflush(stdout);
  return failed;
}

// Main thread only: print every result and the verdict, then exit with 0 (all pass) or 1.
static inline void pd_finish(void) {
  int failed = pd_print_checks();
  int n = pd_printed;
  printf("PDRESULT %s %d/%d\n", failed || n == 0 ? "fail" : "pass", n - failed, n);
  fflush(stdout);
  int code = failed || n == 0 ? 1 : 0;
  // Under Node, leave directly: emscripten's own shutdown with NODERAWFS closes the process's
  // real stdout/stderr (FS.quit) and, with ASSERTIONS, then fails writing to them (exit 1 on
  // 3.1.69 -O0): the verdict must not depend on that.
  EM_ASM({ if (typeof process == 'object' && process.versions && process.versions.node) process.exit($0); }, code);
  emscripten_force_exit(code);
}

// Join with a bound: a thread that never starts or never finishes is a failure, not a hang.
static inline int pd_join(pthread_t t, const char* thread, int timeout_ms) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_sec += timeout_ms / 1000;
  ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
  if (ts.tv_nsec >= 1000000000L) { ts.tv_sec++; ts.tv_nsec -= 1000000000L; }
  int rc = pthread_timedjoin_np(t, NULL, &ts);
  if (rc) pd_record(thread, "join", 0, 0, rc, "thread did not finish within the bound (hang)");
  return rc == 0;
}

// dlopen `name`, or record the failure (a failed check, not an early verdict on the checks made so
// far) and end the run. Main thread only (pd_finish).
static inline void* pd_dlopen_or_finish(const char* name) {
  void* h = dlopen(name, RTLD_NOW);
  if (!h) {
    char what[PD_ERR_LEN];
    snprintf(what, sizeof what, "dlopen %s failed: %s", name, dlerror());
    pd_record("main", "dlopen", 0, 1, 0, what);
    pd_finish();
  }
  return h;
}

// Wait, in 50 ms futex slices (so the thread can take part in a dlopen's sync), until *flag is
// set or bound_ms pass; a wait that runs out is recorded as a hang of `thread`. Returns *flag.
static inline int pd_wait_flag(_Atomic int* flag, const char* thread, int bound_ms) {
  for (int waited = 0; !atomic_load(flag) && waited < bound_ms; waited += 50) {
    emscripten_futex_wait((void*)flag, 0, 50);
  }
  if (!atomic_load(flag)) pd_record(thread, "wait", 0, 0, -1, "the load did not finish within the bound (hang)");
  return atomic_load(flag);
}

// Append `count` JS functions to this thread's table, as a host would (addFunction from JS).
// They exist only in the calling thread: this is what opens gaps between module loads.
static inline void pd_make_js_gaps(int count) {
  EM_ASM({ for (var i = 0; i < $0; i++) addFunction(function() { return 7; }, 'i'); }, count);
}

// Load side module `name` from JS the way Pyodide loads an extension: loadDynamicLibrary with
// loadAsync (in a browser the main thread has no synchronous way to fetch a URL), then run `then`
// on the main thread once the module is in. Returns at once: the caller leaves main() with
// emscripten_exit_with_live_runtime() and `then` ends the program (pd_finish).
static inline void pd_js_load_async(const char* name, void (*then)(void)) {
  EM_ASM({
    var name = UTF8ToString($0);
    loadDynamicLibrary(name, {loadAsync: true, global: true, nodelete: true}).then(
      function () { callUserCallback(function () { getWasmTableEntry($1)(); }); },
      function (e) { abort('loadDynamicLibrary(' + name + ') failed: ' + e); });
  }, name, then);
}

#ifdef __cplusplus
}
#endif

// Each probed function returns its own id so a wrong slot can never look right.
#define PD_ID(n) (1000 + (n))
