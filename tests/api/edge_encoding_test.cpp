// Content-Encoding negotiation of the embedded dashboard, decoded byte-for-byte with the gzip
// and brotli CLIs and compared with dist/; ETags per variant, If-None-Match → 304, HEAD, and
// the raw bytes on the wire (no second compression by cpp-httplib).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "support/dist_files.h"
#include "support/server_process.h"

using namespace iron::test;
namespace fs = std::filesystem;

namespace {

// The largest hashed asset: big enough that both precompressed variants exist.
std::string main_bundle() {
  std::string best;
  std::uintmax_t best_size = 0;
  for (const auto& e : fs::directory_iterator(dist_dir() / "assets"))
    if (e.path().extension() == ".js" && e.file_size() > best_size)
      best = "/assets/" + e.path().filename().string(), best_size = e.file_size();
  return best;
}

// Decodes `bytes` with the Debian CLI for `coding` ("" or "identity" = as is).
std::string decode(const std::string& bytes, const std::string& coding) {
  if (coding.empty() || coding == "identity") return bytes;
  const std::string tool = coding == "br" ? "brotli" : coding == "gzip" ? "gzip" : "";
  if (tool.empty()) return "<unknown coding " + coding + ">";
  static const std::string dir = make_temp_dir();
  static std::atomic<int> counter{0};
  const std::string in = dir + "/body" + std::to_string(++counter), out = in + ".decoded";
  std::ofstream(in, std::ios::binary) << bytes;
  const int rc = std::system((tool + " -dc '" + in + "' > '" + out + "' 2>/dev/null").c_str());
  std::string decoded = rc == 0 ? read_file(out) : "<" + tool + " -dc failed>";
  fs::remove(in);
  fs::remove(out);
  return decoded;
}

struct RawResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::vector<std::string> all(const std::string& name) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : headers)
      if (k == name) out.push_back(v);
    return out;
  }
};

// One request over a plain socket, read to EOF: exactly the bytes the server put on the wire.
RawResponse raw_get(int port, const std::string& path, const std::string& accept_encoding) {
  RawResponse r;
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  timeval tv{20, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: " + accept_encoding +
                          "\r\nConnection: close\r\n\r\n";
  std::string wire;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
    char buf[16384];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0) wire.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  const auto end = wire.find("\r\n\r\n");
  if (end == std::string::npos || wire.rfind("HTTP/1.1 ", 0) != 0) return r;
  r.status = std::atoi(wire.c_str() + 9);
  std::istringstream lines(wire.substr(0, end));
  std::string line;
  std::getline(lines, line);  // status line
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    r.headers.emplace_back(name, line.substr(line.find_first_not_of(' ', colon + 1)));
  }
  r.body = wire.substr(end + 4);
  return r;
}

class EdgeEncoding : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = std::make_unique<ServerProcess>(); }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override { ASSERT_TRUE(server_) << "server failed to start"; }

  static httplib::Result get(const std::string& path, const std::string& accept_encoding,
                             const std::string& if_none_match = "") {
    auto c = server_->client();
    c->set_decompress(false);
    httplib::Headers h{{"Accept-Encoding", accept_encoding}};
    if (!if_none_match.empty()) h.emplace("If-None-Match", if_none_match);
    return c->Get(path, h);
  }
  static inline std::unique_ptr<ServerProcess> server_;
};

TEST_F(EdgeEncoding, NegotiationPrefersBrThenGzipThenIdentityAndHonoursQZero) {
  const std::string url = main_bundle();
  ASSERT_FALSE(url.empty());
  const std::string original = read_file(dist_dir() / url.substr(1));
  struct Case {
    std::string accept, coding;  // coding "" = identity (no Content-Encoding header)
  };
  const std::vector<Case> cases = {
      {"", ""},
      {"identity", ""},
      {"gzip", "gzip"},
      {"br", "br"},
      {"gzip, br", "br"},
      {"gzip, deflate, br, zstd", "br"},
      {"GZIP", "gzip"},
      {"x-gzip", "gzip"},
      {"deflate", ""},
      {"br;q=0, gzip", "gzip"},
      {"br; q=0, gzip; q=0", ""},
      {"br;q=0.000, gzip;q=1.0", "gzip"},
      {"br;q=0.001", "br"},
      {"*", "br"},
      {"*;q=0", ""},
      {"*;q=0, gzip", "gzip"},
      {"br;q=0, *", "gzip"},
      {"br;q=0, gzip;q=0, *", ""},
      {"gzip;q=0, *", "br"},
      {"identity;q=0, gzip", "gzip"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE("Accept-Encoding: " + c.accept);
    auto res = get(url, c.accept);
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->get_header_value("Content-Encoding"), c.coding);
    EXPECT_EQ(res->get_header_value_count("Content-Encoding"), c.coding.empty() ? 0u : 1u);
    EXPECT_NE(res->get_header_value("Vary").find("Accept-Encoding"), std::string::npos);
    EXPECT_EQ(res->get_header_value("Content-Length"), std::to_string(res->body.size()));
    EXPECT_TRUE(decode(res->body, c.coding) == original) << "decoded body differs from dist" << url;
  }
}

TEST_F(EdgeEncoding, EveryFileInEveryEncodingDecodesToTheBuildAndTheIdentityBody) {
  std::vector<std::string> urls = {"/index.html", "/favicon.svg", "/robots.txt"};
  for (const auto& e : fs::directory_iterator(dist_dir() / "assets"))
    urls.push_back("/assets/" + e.path().filename().string());
  for (const auto& url : urls) {
    const std::string original = read_file(dist_dir() / url.substr(1));
    auto identity = get(url, "identity");
    ASSERT_TRUE(identity);
    EXPECT_TRUE(identity->body == original) << url;
    for (const std::string accept : {"gzip", "br", "br, gzip"}) {
      SCOPED_TRACE(url + " with " + accept);
      auto res = get(url, accept);
      ASSERT_TRUE(res);
      EXPECT_EQ(res->status, 200);
      const std::string coding = res->get_header_value("Content-Encoding");
      EXPECT_TRUE(coding.empty() || accept.find(coding) != std::string::npos) << coding;
      EXPECT_EQ(res->get_header_value("Vary"), "Accept-Encoding");
      EXPECT_EQ(res->get_header_value("Content-Length"), std::to_string(res->body.size()));
      // A variant is kept only when it is smaller.
      if (!coding.empty()) {
        EXPECT_LT(res->body.size(), original.size());
      }
      const std::string decoded = decode(res->body, coding);
      EXPECT_TRUE(decoded == original) << "differs from dist";
      EXPECT_TRUE(decoded == identity->body) << "differs from the identity response";
    }
  }
}

TEST_F(EdgeEncoding, EtagIsStrongPerVariantAndStable) {
  const std::string url = main_bundle();
  std::set<std::string> seen;
  for (const std::string accept : {"identity", "gzip", "br"}) {
    SCOPED_TRACE(accept);
    auto a = get(url, accept), b = get(url, accept);
    ASSERT_TRUE(a && b);
    const std::string etag = a->get_header_value("ETag");
    EXPECT_EQ(etag, b->get_header_value("ETag")) << "ETag must be stable";
    ASSERT_GE(etag.size(), 3u);
    EXPECT_EQ(etag.front(), '"') << "strong ETag expected, got " << etag;
    EXPECT_EQ(etag.back(), '"');
    seen.insert(etag);
  }
  EXPECT_EQ(seen.size(), 3u) << "identity, gzip and br need distinct ETags";
}

TEST_F(EdgeEncoding, IfNoneMatchGives304WithNoBody) {
  for (const std::string& url : {main_bundle(), std::string("/"), std::string("/about"), std::string("/robots.txt")}) {
    for (const std::string accept : {"identity", "gzip", "br"}) {
      auto full = get(url, accept);
      ASSERT_TRUE(full);
      const std::string etag = full->get_header_value("ETag");
      for (const std::string& inm : {etag, "W/" + etag, "\"nope\", " + etag, "\"a\",\"b\"," + etag, std::string("*")}) {
        SCOPED_TRACE(url + " / " + accept + " / If-None-Match: " + inm);
        auto res = get(url, accept, inm);
        ASSERT_TRUE(res);
        EXPECT_EQ(res->status, 304);
        EXPECT_TRUE(res->body.empty());
        EXPECT_EQ(res->get_header_value("ETag"), etag);
        EXPECT_EQ(res->get_header_value("Cache-Control"), full->get_header_value("Cache-Control"));
        EXPECT_EQ(res->get_header_value("Vary"), "Accept-Encoding");
      }
    }
  }
}

TEST_F(EdgeEncoding, NotModifiedSendsNoContentLengthOtherThanThe200s) {
  // RFC 9110 §8.6: a server MUST NOT send Content-Length in a 304 unless it equals the 200's
  // (web/static_site.h: "on 304 it must send neither a body nor a Content-Length"). A cache
  // that believes "Content-Length: 0" may update its stored response to an empty body.
  for (const std::string& url : {main_bundle(), std::string("/"), std::string("/robots.txt")}) {
    for (const std::string accept : {"identity", "br"}) {
      SCOPED_TRACE(url + " / " + accept);
      auto full = get(url, accept);
      ASSERT_TRUE(full);
      auto res = get(url, accept, full->get_header_value("ETag"));
      ASSERT_TRUE(res);
      ASSERT_EQ(res->status, 304);
      if (res->has_header("Content-Length")) {
        EXPECT_EQ(res->get_header_value("Content-Length"), full->get_header_value("Content-Length"));
      }
    }
  }
}

TEST_F(EdgeEncoding, IfNoneMatchOfAnotherVariantOrAStaleTagGives200) {
  const std::string url = main_bundle();
  auto identity = get(url, "identity");
  auto br = get(url, "br");
  ASSERT_TRUE(identity && br);
  for (const auto& [accept, inm] : std::vector<std::pair<std::string, std::string>>{
           {"br", identity->get_header_value("ETag")},
           {"identity", br->get_header_value("ETag")},
           {"br", "\"0000000000000000\""},
           {"br", br->get_header_value("ETag").substr(1)},  // unquoted is not a match
       }) {
    SCOPED_TRACE(accept + " / " + inm);
    auto res = get(url, accept, inm);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_FALSE(res->body.empty());
  }
}

TEST_F(EdgeEncoding, HeadGivesTheGetHeadersWithoutABody) {
  for (const std::string& url : {main_bundle(), std::string("/"), std::string("/agents/42"), std::string("/favicon.svg")}) {
    for (const std::string accept : {"identity", "gzip", "br"}) {
      SCOPED_TRACE(url + " / " + accept);
      auto full = get(url, accept);
      auto c = server_->client();
      c->set_decompress(false);
      auto head = c->Head(url, {{"Accept-Encoding", accept}});
      ASSERT_TRUE(full && head);
      EXPECT_EQ(head->status, 200);
      EXPECT_TRUE(head->body.empty());
      for (const char* h : {"Content-Length", "Content-Type", "Content-Encoding", "ETag", "Cache-Control", "Vary"})
        EXPECT_EQ(head->get_header_value(h), full->get_header_value(h)) << h;
    }
  }
}

TEST_F(EdgeEncoding, BytesOnTheWireDecodeOnceToTheOriginalFile) {
  // cpp-httplib must not compress an already-compressed body again: read the raw socket.
  for (const std::string& url : {main_bundle(), std::string("/index.html")}) {
    const std::string original = read_file(dist_dir() / url.substr(1));
    for (const std::string coding : {"gzip", "br"}) {
      SCOPED_TRACE(url + " / " + coding);
      const RawResponse r = raw_get(server_->port(), url, coding);
      ASSERT_EQ(r.status, 200);
      const auto encodings = r.all("content-encoding");
      if (url == "/index.html" && encodings.empty()) continue;  // no smaller variant was kept
      ASSERT_EQ(encodings.size(), 1u);
      EXPECT_EQ(encodings[0], coding);
      EXPECT_TRUE(r.all("transfer-encoding").empty()) << "a precompressed body has a known length";
      ASSERT_EQ(r.all("content-length").size(), 1u);
      EXPECT_EQ(r.all("content-length")[0], std::to_string(r.body.size()));
      EXPECT_TRUE(decode(r.body, coding) == original) << "wire bytes do not decode once to the file";
    }
  }
}

}  // namespace
