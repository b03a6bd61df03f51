#include "study/plan.hpp"  // upward, through a private header of src/
