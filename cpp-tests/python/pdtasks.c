// The task module, imported after the host hooks have added table entries.
#define PD_MODULE pdtasks
#define PD_MODULE_NAME "pdtasks"
#include "pdkernels.h"
