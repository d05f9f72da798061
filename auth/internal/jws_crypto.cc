#include "auth/internal/jws_crypto.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>

#include <memory>

namespace querygate::auth::internal {
namespace {

constexpr int kP256ScalarBytes = 32;

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct EcdsaSigFree {
  void operator()(ECDSA_SIG* sig) const { ECDSA_SIG_free(sig); }
};

const unsigned char* Bytes(absl::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

bool DigestVerify(EVP_PKEY* key, absl::string_view input, absl::string_view signature) {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  bool ok =
      ctx != nullptr && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(), Bytes(input), input.size()) ==
          1;
  ERR_clear_error();
  return ok;
}

absl::StatusOr<std::string> DigestSign(EVP_PKEY* key, absl::string_view input) {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  size_t length = 0;
  std::string out;
  bool ok = ctx != nullptr &&
            EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestSign(ctx.get(), nullptr, &length, Bytes(input), input.size()) == 1;
  if (ok) {
    out.resize(length);
    ok = EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &length,
                        Bytes(input), input.size()) == 1;
    out.resize(length);
  }
  ERR_clear_error();
  if (!ok) return absl::InvalidArgumentError("signing failed");
  return out;
}

// Converts a JWS ECDSA signature (r||s) to the DER form OpenSSL verifies; empty on failure.
std::string RawToDer(absl::string_view raw) {
  std::unique_ptr<ECDSA_SIG, EcdsaSigFree> sig(ECDSA_SIG_new());
  if (sig == nullptr) return "";
  BIGNUM* r = BN_bin2bn(Bytes(raw), kP256ScalarBytes, nullptr);
  BIGNUM* s = BN_bin2bn(Bytes(raw) + kP256ScalarBytes, kP256ScalarBytes, nullptr);
  if (r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return "";
  }
  int length = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (length <= 0) return "";
  std::string der(static_cast<size_t>(length), '\0');
  unsigned char* cursor = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &cursor) != length) return "";
  return der;
}

// Converts a DER ECDSA signature to JWS form (r||s); empty on failure.
std::string DerToRaw(absl::string_view der) {
  const unsigned char* cursor = Bytes(der);
  std::unique_ptr<ECDSA_SIG, EcdsaSigFree> sig(
      d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size())));
  if (sig == nullptr) return "";
  std::string raw(2 * kP256ScalarBytes, '\0');
  unsigned char* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, kP256ScalarBytes) != kP256ScalarBytes ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + kP256ScalarBytes, kP256ScalarBytes) !=
          kP256ScalarBytes) {
    return "";
  }
  return raw;
}

}  // namespace

bool VerifyRs256(const PublicKey& key, absl::string_view input, absl::string_view signature) {
  if (key.type != KeyType::kRsa || signature.empty()) return false;
  return DigestVerify(key.key.get(), input, signature);
}

bool VerifyEs256(const PublicKey& key, absl::string_view input, absl::string_view signature) {
  if (key.type != KeyType::kEcP256 || signature.size() != 2 * kP256ScalarBytes) return false;
  std::string der = RawToDer(signature);
  ERR_clear_error();
  return !der.empty() && DigestVerify(key.key.get(), input, der);
}

absl::StatusOr<std::string> SignRs256(EVP_PKEY* key, absl::string_view input) {
  if (!EVP_PKEY_is_a(key, "RSA")) return absl::InvalidArgumentError("RS256 needs an RSA key");
  return DigestSign(key, input);
}

absl::StatusOr<std::string> SignEs256(EVP_PKEY* key, absl::string_view input) {
  if (!IsP256(key)) return absl::InvalidArgumentError("ES256 needs an EC P-256 key");
  absl::StatusOr<std::string> der = DigestSign(key, input);
  if (!der.ok()) return der.status();
  std::string raw = DerToRaw(*der);
  ERR_clear_error();
  if (raw.empty()) return absl::InvalidArgumentError("signing failed");
  return raw;
}

}  // namespace querygate::auth::internal
