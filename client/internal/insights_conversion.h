#ifndef QUERYGATE_CLIENT_INTERNAL_INSIGHTS_CONVERSION_H_
#define QUERYGATE_CLIENT_INTERNAL_INSIGHTS_CONVERSION_H_

#include "client/insights_types.h"
#include "querygate/v1/cache_service.pb.h"

namespace querygate::client {

// Converts CacheService.Insights and Advise responses.
DatabaseInsights FromProto(const v1::InsightsResponse& in);
IndexAdvice FromProto(const v1::AdviseResponse& in);

}  // namespace querygate::client

#endif  // QUERYGATE_CLIENT_INTERNAL_INSIGHTS_CONVERSION_H_
