// A typical PIC side module: every function is exported, so the module has no table region of
// its own (tableSize 0) and its addresses are GOT.func slots appended while it loads.
#include "../harness/pd_check.h"
int s3_value(void) { return PD_ID(31); }
int s3_other(void) { return PD_ID(32); }
pd_fn s3_get(void) { return s3_value; }
pd_fn s3_get_other(void) { return s3_other; }
