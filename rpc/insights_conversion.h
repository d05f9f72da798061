#ifndef QUERYGATE_RPC_INSIGHTS_CONVERSION_H_
#define QUERYGATE_RPC_INSIGHTS_CONVERSION_H_

#include "querygate/v1/cache_service.pb.h"
#include "service/index_advisor.h"
#include "service/insights.h"

namespace querygate::rpc {

// Fills `out` from the database insights report.
void InsightsToProto(const service::InsightsReport& in, v1::InsightsResponse& out);

// Fills `out` from the index advice.
void AdviceToProto(const service::AdviceReport& in, v1::AdviseResponse& out);

}  // namespace querygate::rpc

#endif  // QUERYGATE_RPC_INSIGHTS_CONVERSION_H_
