#include "security/ip_token.h"

#include <sodium.h>

#include <stdexcept>

#include "security/crypto.h"
#include "security/random.h"

namespace iron::security {

std::optional<std::string> seal_ip_token(std::string_view key, std::string_view plaintext) {
  if (key.size() != kIpTokenKeyBytes) throw std::invalid_argument("IP-token key must be 32 bytes");
  if (!crypto_aead_aes256gcm_is_available()) return std::nullopt;
  const std::string iv = random_bytes(crypto_aead_aes256gcm_NPUBBYTES);
  std::string ct(plaintext.size(), '\0');
  std::string tag(crypto_aead_aes256gcm_ABYTES, '\0');
  unsigned long long tag_len = 0;
  crypto_aead_aes256gcm_encrypt_detached(reinterpret_cast<unsigned char*>(ct.data()),
                                         reinterpret_cast<unsigned char*>(tag.data()), &tag_len,
                                         reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                                         nullptr, 0, nullptr, reinterpret_cast<const unsigned char*>(iv.data()),
                                         reinterpret_cast<const unsigned char*>(key.data()));
  return "AES256:" + base64_encode(iv) + ":" + base64_encode(ct) + ":" + base64_encode(tag);
}

std::optional<std::string> open_ip_token(std::string_view key, const std::string& token) {
  if (key.size() != kIpTokenKeyBytes || !crypto_aead_aes256gcm_is_available() || token.rfind("AES256:", 0) != 0)
    return std::nullopt;
  const size_t a = 7, b = token.find(':', a), c = b == std::string::npos ? b : token.find(':', b + 1);
  if (c == std::string::npos) return std::nullopt;
  auto iv = base64_decode(token.substr(a, b - a));
  auto ct = base64_decode(token.substr(b + 1, c - b - 1));
  auto tag = base64_decode(token.substr(c + 1));
  if (!iv || !ct || !tag || iv->size() != crypto_aead_aes256gcm_NPUBBYTES || tag->size() != crypto_aead_aes256gcm_ABYTES)
    return std::nullopt;
  std::string plain(ct->size(), '\0');
  if (crypto_aead_aes256gcm_decrypt_detached(reinterpret_cast<unsigned char*>(plain.data()), nullptr,
                                             reinterpret_cast<const unsigned char*>(ct->data()), ct->size(),
                                             reinterpret_cast<const unsigned char*>(tag->data()), nullptr, 0,
                                             reinterpret_cast<const unsigned char*>(iv->data()),
                                             reinterpret_cast<const unsigned char*>(key.data())) != 0)
    return std::nullopt;
  return plain;
}

}  // namespace iron::security
