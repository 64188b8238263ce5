// No imports beyond memory and table: a MAIN_MODULE=2 main exports nothing else to it.
#define PD_ID(n) (1000 + (n))
typedef int (*pd_fn)(void);
static int s13_data = 5;
int s13_value(void) { return PD_ID(130); }
pd_fn s13_get(void) { return s13_value; }
void s13_set_data(int v) { s13_data = v; }
int s13_read_data(void) { return s13_data; }
