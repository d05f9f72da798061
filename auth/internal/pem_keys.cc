#include "auth/internal/pem_keys.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <climits>

#include "absl/strings/str_cat.h"

namespace querygate::auth::internal {
namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

// Refuses every passphrase prompt: keys are never read from a terminal.
int NoPassphrase(char*, int, int, void*) { return 0; }

BioPtr MemoryBio(absl::string_view text) {
  if (text.size() > static_cast<size_t>(INT_MAX)) return nullptr;
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

EvpPkeyPtr ReadPublicKey(absl::string_view pem) {
  BioPtr bio = MemoryBio(pem);
  if (bio == nullptr) return nullptr;
  EvpPkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassphrase, nullptr));
  if (key != nullptr) return key;
  bio = MemoryBio(pem);
  if (bio == nullptr) return nullptr;
  X509* cert = PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr);
  if (cert == nullptr) return nullptr;
  key.reset(X509_get_pubkey(cert));
  X509_free(cert);
  return key;
}

}  // namespace

absl::StatusOr<PublicKey> ParsePemPublicKey(absl::string_view pem, std::string kid,
                                            absl::string_view field) {
  EvpPkeyPtr key = ReadPublicKey(pem);
  ERR_clear_error();
  if (key == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": not a PEM public key or certificate"));
  }
  return MakePublicKey(std::move(key), std::move(kid), field);
}

absl::StatusOr<EvpPkeyPtr> ParsePemPrivateKey(absl::string_view pem) {
  BioPtr bio = MemoryBio(pem);
  EvpPkeyPtr key;
  if (bio != nullptr) key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  ERR_clear_error();
  if (key == nullptr) {
    return absl::InvalidArgumentError("not an unencrypted PEM private key");
  }
  return key;
}

}  // namespace querygate::auth::internal
