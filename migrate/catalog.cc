#include "migrate/catalog.h"

namespace querygate::migrate {

const CatalogColumn* CatalogTable::FindColumn(const std::string& column) const {
  for (const CatalogColumn& c : columns) {
    if (c.name == column) return &c;
  }
  return nullptr;
}

}  // namespace querygate::migrate
