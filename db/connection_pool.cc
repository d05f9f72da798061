#include "db/connection_pool.h"

namespace querygate::db {

Lease& Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    Return();
    pool_ = other.pool_;
    session_ = std::move(other.session_);
    created_ = other.created_;
  }
  return *this;
}

Lease::~Lease() { Return(); }

void Lease::Return() {
  if (pool_ != nullptr && session_ != nullptr) pool_->Release(std::move(session_), created_);
  session_.reset();
}

}  // namespace querygate::db
