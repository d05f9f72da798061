#ifndef QUERYGATE_OPS_BUILD_INFO_H_
#define QUERYGATE_OPS_BUILD_INFO_H_

#include "ops/metrics.h"

namespace querygate::ops {

// The version, build type and compiler this binary was built with.
BuildInfo CurrentBuild();

}  // namespace querygate::ops

#endif  // QUERYGATE_OPS_BUILD_INFO_H_
