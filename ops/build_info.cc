#include "ops/build_info.h"

namespace querygate::ops {

BuildInfo CurrentBuild() { return BuildInfo{QG_VERSION, QG_BUILD_TYPE, QG_COMPILER}; }

}  // namespace querygate::ops
