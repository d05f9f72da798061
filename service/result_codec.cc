#include "service/result_codec.h"

#include <cstring>

namespace querygate::service {
namespace {

enum Tag : uint8_t {
  kNull = 0,
  kFalse = 1,
  kTrue = 2,
  kInt = 3,
  kDouble = 4,
  kString = 5,
  kBytes = 6,
  kTimestamp = 7,
  kList = 8,
  kStruct = 9,
};

constexpr char kMagic[] = "QGR1";

// The fewest bytes each item takes: a value is at least its tag, a struct field a key length
// and a tag, a column two lengths.
constexpr uint64_t kMinValueSize = 1;
constexpr uint64_t kMinFieldSize = 2;
constexpr uint64_t kMinColumnSize = 2;

void PutVarint(uint64_t v, std::string& out) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void PutSigned(int64_t v, std::string& out) {
  PutVarint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63), out);
}

void PutString(absl::string_view s, std::string& out) {
  PutVarint(s.size(), out);
  out.append(s.data(), s.size());
}

class Reader {
 public:
  explicit Reader(absl::string_view in) : in_(in) {}

  bool Varint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in_.empty()) return false;
      uint8_t byte = static_cast<uint8_t>(in_[0]);
      in_.remove_prefix(1);
      v |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return true;
    }
    return false;
  }
  bool Signed(int64_t& v) {
    uint64_t raw;
    if (!Varint(raw)) return false;
    v = static_cast<int64_t>((raw >> 1) ^ (~(raw & 1) + 1));
    return true;
  }
  bool String(std::string& s) {
    uint64_t size;
    if (!Varint(size) || size > in_.size()) return false;
    s.assign(in_.data(), size);
    in_.remove_prefix(size);
    return true;
  }
  // Reads a count of items that take at least `min_size` bytes each (0: items take no bytes,
  // so only a count of 0 is accepted). False unless the bytes left, less those promised to
  // items counted before and not read yet, hold that many; then `n` items may be allocated.
  // The caller calls Take(min_size) before reading each item.
  bool Count(uint64_t& n, uint64_t min_size) {
    if (!Varint(n) || promised_ > in_.size()) return false;
    if (min_size == 0) return n == 0;
    if (n > (in_.size() - promised_) / min_size) return false;
    promised_ += n * min_size;
    return true;
  }
  // Releases the bytes promised to one counted item, which is about to be read.
  void Take(uint64_t min_size) { promised_ -= min_size; }
  bool Byte(uint8_t& b) {
    if (in_.empty()) return false;
    b = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool Raw(void* out, size_t n) {
    if (in_.size() < n) return false;
    std::memcpy(out, in_.data(), n);
    in_.remove_prefix(n);
    return true;
  }
  bool Value(querygate::Value& v, int depth) {
    uint8_t tag;
    if (depth > 64 || !Byte(tag)) return false;
    switch (tag) {
      case kNull:
        v = querygate::Value();
        return true;
      case kFalse:
      case kTrue:
        v = querygate::Value::Bool(tag == kTrue);
        return true;
      case kInt: {
        int64_t i;
        if (!Signed(i)) return false;
        v = querygate::Value::Int(i);
        return true;
      }
      case kDouble: {
        double d;
        if (!Raw(&d, sizeof d)) return false;
        v = querygate::Value::Double(d);
        return true;
      }
      case kString:
      case kBytes: {
        std::string s;
        if (!String(s)) return false;
        v = tag == kString ? querygate::Value::String(std::move(s))
                           : querygate::Value::Bytes(std::move(s));
        return true;
      }
      case kTimestamp: {
        int64_t micros;
        if (!Signed(micros)) return false;
        v = querygate::Value::Time({micros});
        return true;
      }
      case kList: {
        uint64_t n;
        if (!Count(n, kMinValueSize)) return false;
        querygate::Value::List list(n);
        for (auto& item : list) {
          Take(kMinValueSize);
          if (!Value(item, depth + 1)) return false;
        }
        v = querygate::Value::ListOf(std::move(list));
        return true;
      }
      case kStruct: {
        uint64_t n;
        if (!Count(n, kMinFieldSize)) return false;
        querygate::Value::Struct fields;
        for (uint64_t i = 0; i < n; ++i) {
          std::string key;
          querygate::Value item;
          Take(kMinFieldSize);
          if (!String(key) || !Value(item, depth + 1)) return false;
          fields.emplace(std::move(key), std::move(item));
        }
        v = querygate::Value::StructOf(std::move(fields));
        return true;
      }
      default:
        return false;
    }
  }
  bool done() const { return in_.empty(); }

 private:
  absl::string_view in_;
  // Bytes that items counted but not read yet need at least.
  uint64_t promised_ = 0;
};

}  // namespace

void EncodeValue(const Value& value, std::string& out) {
  switch (value.kind()) {
    case Value::Kind::kNull:
      out.push_back(kNull);
      return;
    case Value::Kind::kBool:
      out.push_back(value.bool_value() ? kTrue : kFalse);
      return;
    case Value::Kind::kInt:
      out.push_back(kInt);
      PutSigned(value.int_value(), out);
      return;
    case Value::Kind::kDouble: {
      out.push_back(kDouble);
      double d = value.double_value();
      char buf[sizeof d];
      std::memcpy(buf, &d, sizeof d);
      out.append(buf, sizeof d);
      return;
    }
    case Value::Kind::kString:
      out.push_back(kString);
      PutString(value.string_value(), out);
      return;
    case Value::Kind::kBytes:
      out.push_back(kBytes);
      PutString(value.bytes_value(), out);
      return;
    case Value::Kind::kTimestamp:
      out.push_back(kTimestamp);
      PutSigned(value.time_value().micros, out);
      return;
    case Value::Kind::kList:
      out.push_back(kList);
      PutVarint(value.list_value().size(), out);
      for (const Value& item : value.list_value()) EncodeValue(item, out);
      return;
    case Value::Kind::kStruct:
      out.push_back(kStruct);
      PutVarint(value.struct_value().size(), out);
      for (const auto& [key, item] : value.struct_value()) {
        PutString(key, out);
        EncodeValue(item, out);
      }
      return;
  }
}

std::string EncodeResult(const QueryResult& result) {
  std::string out(kMagic, 4);
  PutVarint(result.columns.size(), out);
  for (const ResultColumn& column : result.columns) {
    PutString(column.name, out);
    PutString(column.type, out);
  }
  PutVarint(result.rows.size(), out);
  for (const auto& row : result.rows) {
    for (const Value& value : row) EncodeValue(value, out);
  }
  return out;
}

absl::StatusOr<QueryResult> DecodeResult(absl::string_view bytes) {
  auto corrupt = [] { return absl::DataLossError("cached result is corrupt"); };
  if (bytes.size() < 4 || std::memcmp(bytes.data(), kMagic, 4) != 0) return corrupt();
  Reader reader(bytes.substr(4));
  QueryResult result;
  uint64_t columns, rows;
  if (!reader.Count(columns, kMinColumnSize)) return corrupt();
  result.columns.resize(columns);
  for (ResultColumn& column : result.columns) {
    reader.Take(kMinColumnSize);
    if (!reader.String(column.name) || !reader.String(column.type)) return corrupt();
  }
  // A row takes at least one byte per column.
  if (!reader.Count(rows, columns * kMinValueSize)) return corrupt();
  result.rows.resize(rows);
  for (auto& row : result.rows) {
    row.resize(columns);
    for (Value& value : row) {
      reader.Take(kMinValueSize);
      if (!reader.Value(value, 0)) return corrupt();
    }
  }
  if (!reader.done()) return corrupt();
  return result;
}

}  // namespace querygate::service
