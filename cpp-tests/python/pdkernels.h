// A task extension: kernels Python gets pointers to, and call() to call one on this thread. Several
// kernels, so that a pointer landing one slot off runs another function of the same signature
// (silently wrong) rather than only trapping. PD_MODULE names the module.
#include <Python.h>

#define PD_CAT2(a, b) a##b
#define PD_CAT(a, b) PD_CAT2(a, b)

static long kernel_a(long i) { return (i * 7919) % 1009 + 3; }
static long kernel_b(long i) { return (i * 104729) % 997 + 5; }
static long kernel_c(long i) { return i + 11; }

static PyObject* pd_kernel(PyObject*, PyObject* args) {
  int which;
  if (!PyArg_ParseTuple(args, "i", &which)) return NULL;
  long (*fns[])(long) = {kernel_a, kernel_b, kernel_c};
  if (which < 0 || which > 2) {
    PyErr_SetString(PyExc_ValueError, "kernel(which): which is 0, 1 or 2");
    return NULL;
  }
  return PyLong_FromSsize_t((Py_ssize_t)fns[which]);
}

static PyObject* pd_call(PyObject*, PyObject* args) {
  Py_ssize_t fn;
  long x;
  if (!PyArg_ParseTuple(args, "nl", &fn, &x)) return NULL;
  return PyLong_FromLong(((long (*)(long))fn)(x));
}

static PyMethodDef methods[] = {
  {"kernel", pd_kernel, METH_VARARGS, "kernel(which): a pointer to kernel a, b or c"},
  {"call", pd_call, METH_VARARGS, "call(fn, x): fn(x) on this thread"},
  {NULL, NULL, 0, NULL},
};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, PD_MODULE_NAME, NULL, -1, methods};
PyMODINIT_FUNC PD_CAT(PyInit_, PD_MODULE)(void) { return PyModule_Create(&module); }
