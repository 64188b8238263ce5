#define POOL_WARM 1
#define ROUNDS 400
#include "../s18_warm_pool_cold/s18_body.h"
