#include "../harness/pd_check.h"
int s17_value(void) { return PD_ID(171); }
static int s17_hidden(void) { return PD_ID(172); }
pd_fn s17_get(void) { return s17_value; }
pd_fn s17_get_hidden(void) { return s17_hidden; }
