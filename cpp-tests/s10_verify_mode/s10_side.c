#include "../harness/pd_check.h"
int s10_first(void) { return PD_ID(101); }
int s10_second(void) { return PD_ID(102); }
pd_fn s10_get_first(void) { return s10_first; }
pd_fn s10_get_second(void) { return s10_second; }
