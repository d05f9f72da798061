#ifndef QUERYGATE_RPC_CACHE_INFO_CONVERSION_H_
#define QUERYGATE_RPC_CACHE_INFO_CONVERSION_H_

#include "querygate/v1/value.pb.h"
#include "service/query_result.h"

namespace querygate::rpc {

// Returns the service's cache mode for a wire mode (UNSPECIFIED: use the cache).
service::CacheMode CacheModeFromProto(v1::CacheMode mode);

// Writes the cache status, age and ttl of a served result.
void CacheInfoToProto(const service::CacheInfo& in, v1::CacheInfo& out);

}  // namespace querygate::rpc

#endif  // QUERYGATE_RPC_CACHE_INFO_CONVERSION_H_
