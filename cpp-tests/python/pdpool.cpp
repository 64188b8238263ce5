// The thread-pool extension: the blog author's WarmPool (../shared/third_party/warm_pool, used in
// place) in a Python extension module, running parallel_fors over a function pointer that Python
// hands it from another extension. Its pool threads are pthreads that loaded every extension
// through emscripten's dlopen syncing: each call through the pointer there is the bug's probe.
#include <Python.h>
#include <unistd.h>
#include <vector>
#include "warm_pool.h"

typedef long (*task_fn)(long);
static WarmPool* pool;

// start(threads, warm): make the pool and wait (bounded) until every thread is ready, so the
// parallel_fors really run on them (WarmPool runs serially until then).
static PyObject* pdpool_start(PyObject*, PyObject* args) {
  int threads, warm;
  if (!PyArg_ParseTuple(args, "ip", &threads, &warm)) return NULL;
  if (pool) {
    PyErr_SetString(PyExc_RuntimeError, "pdpool.start: the pool is already running");
    return NULL;
  }
  int ready = 0;
  Py_BEGIN_ALLOW_THREADS
  pool = new WarmPool(threads);
  pool->warm(warm);
  for (int waited = 0; (ready = pool->num_ready_threads()) < threads && waited < 20000; waited++) usleep(1000);
  Py_END_ALLOW_THREADS
  if (ready < threads) {
    PyErr_Format(PyExc_RuntimeError, "pdpool.start: %d of %d pool threads ready after 20 s (hang)", ready, threads);
    return NULL;
  }
  return PyLong_FromLong(ready);
}

// run(fn, n, rounds): `rounds` parallel_fors of fn(i + round) over i in [0, n); the sum of all.
static PyObject* pdpool_run(PyObject*, PyObject* args) {
  Py_ssize_t fn;
  long n, rounds;
  if (!PyArg_ParseTuple(args, "nll", &fn, &n, &rounds)) return NULL;
  if (!pool) {
    PyErr_SetString(PyExc_RuntimeError, "pdpool.run: call pdpool.start first");
    return NULL;
  }
  task_fn task = (task_fn)fn;
  std::vector<long> out(n);
  long long total = 0;
  Py_BEGIN_ALLOW_THREADS
  for (long round = 0; round < rounds; round++) {
    pool->parallel_for(0, n, [&](size_t i) { out[i] = task((long)i + round); });
    for (long i = 0; i < n; i++) total += out[i];
  }
  Py_END_ALLOW_THREADS
  return PyLong_FromLongLong(total);
}

// The share of iterations the pool's own threads ran (0: the probe never left this thread).
static PyObject* pdpool_worker_share(PyObject*, PyObject*) {
  return PyFloat_FromDouble(pool ? 1.0 - pool->main_iter_share() : 0.0);
}

static PyMethodDef methods[] = {
  {"start", pdpool_start, METH_VARARGS, "start(threads, warm): start the pool"},
  {"run", pdpool_run, METH_VARARGS, "run(fn, n, rounds): sum of fn(i + r) over parallel_fors"},
  {"worker_share", pdpool_worker_share, METH_NOARGS, "share of iterations run by pool threads"},
  {NULL, NULL, 0, NULL},
};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "pdpool", NULL, -1, methods};
PyMODINIT_FUNC PyInit_pdpool(void) { return PyModule_Create(&module); }
