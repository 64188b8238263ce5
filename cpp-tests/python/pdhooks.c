// The host hooks: table entries made between extension imports, as Pyodide's JS glue and CPython
// 3.14's call trampoline make them. A stand-in: plain addFunction of JS callbacks, on the host's
// thread (emscripten's main thread: this build is PROXY_TO_PTHREAD) and on the interpreter's own.
// call_added() calls the interpreter thread's callbacks through their slots: a module a later
// load placed over them (stock emscripten catching up on another thread's dlopen) shows there.
#include <Python.h>
#include <emscripten.h>

#define ON_MAIN 3
#define ON_THIS_THREAD 2
static int on_main, this_thread_slots[ON_THIS_THREAD];

static PyObject* pdhooks_added(PyObject*, PyObject*) { return Py_BuildValue("(ii)", on_main, ON_THIS_THREAD); }

static PyObject* pdhooks_call_added(PyObject*, PyObject* args) {
  int x;
  if (!PyArg_ParseTuple(args, "i", &x)) return NULL;
  PyObject* results = PyList_New(ON_THIS_THREAD);
  for (int i = 0; i < ON_THIS_THREAD; i++) {
    PyList_SET_ITEM(results, i, PyLong_FromLong(((int (*)(int))this_thread_slots[i])(x)));
  }
  return results;
}

static PyObject* pdhooks_slots(PyObject*, PyObject*) {
  return Py_BuildValue("(ii)", this_thread_slots[0], this_thread_slots[1]);
}

static PyMethodDef methods[] = {
  {"added", pdhooks_added, METH_NOARGS, "(entries added on the main thread, on the importing thread)"},
  {"call_added", pdhooks_call_added, METH_VARARGS, "call_added(x): the importing thread's callbacks of x"},
  {"slots", pdhooks_slots, METH_NOARGS, "the importing thread's callbacks' slots"},
  {NULL, NULL, 0, NULL},
};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "pdhooks", NULL, -1, methods};

PyMODINIT_FUNC PyInit_pdhooks(void) {
  on_main = MAIN_THREAD_EM_ASM_INT({
    for (var i = 0; i < $0; i++) addFunction(function(x) { return x + 1000; }, 'ii');
    return $0;
  }, ON_MAIN);
  for (int i = 0; i < ON_THIS_THREAD; i++) {
    this_thread_slots[i] = EM_ASM_INT({ return addFunction(function(x) { return x + 2000; }, 'ii'); });
  }
  return PyModule_Create(&module);
}
