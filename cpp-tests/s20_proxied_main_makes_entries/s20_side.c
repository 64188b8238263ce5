#include "../harness/pd_check.h"
int s20_value(void) { return PD_ID(201); }
static int s20_hidden(void) { return PD_ID(202); }
pd_fn s20_get(void) { return s20_value; }
pd_fn s20_get_hidden(void) { return s20_hidden; }
