#define POOL_WARM 0
#define ROUNDS 2000
#include "s18_body.h"
