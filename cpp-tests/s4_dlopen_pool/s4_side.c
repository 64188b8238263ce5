// A typical PIC side module: every function is exported, so the module has no table region of
// its own (tableSize 0) and its addresses are GOT.func slots appended while it loads.
#include "../harness/pd_check.h"
int s4_value(void) { return PD_ID(41); }
int s4_other(void) { return PD_ID(42); }
pd_fn s4_get(void) { return s4_value; }
pd_fn s4_get_other(void) { return s4_other; }
