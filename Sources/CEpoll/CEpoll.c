// Only a header: see include/CEpoll.h.
#include "CEpoll.h"
