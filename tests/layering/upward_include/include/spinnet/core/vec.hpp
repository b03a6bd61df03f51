#pragma once
#include "spinnet/models/spin.hpp"  // upward: core may not include models
