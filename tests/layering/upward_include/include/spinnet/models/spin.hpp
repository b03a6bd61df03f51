#pragma once
#include "spinnet/core/vec.hpp"
