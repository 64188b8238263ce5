#include "../harness/pd_check.h"
int s15_value(void) { return PD_ID(151); }
pd_fn s15_get(void) { return s15_value; }
