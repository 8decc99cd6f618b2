#ifndef EPY_ALLOCA_H
#define EPY_ALLOCA_H
#define alloca __builtin_alloca
#endif
