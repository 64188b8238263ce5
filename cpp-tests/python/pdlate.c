// The same kernels in a module a Python thread imports (the interpreter thread uses it after).
#define PD_MODULE pdlate
#define PD_MODULE_NAME "pdlate"
#include "pdkernels.h"
