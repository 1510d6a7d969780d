// Outbound TLS (docs/alerts.md): an https:// webhook receiver with a self-signed certificate
// this test generates (`openssl req`). With that certificate as IRON_ALERT_CA_FILE the alert
// is delivered and signed; without it the certificate is not trusted and nothing is sent —
// verification is never switched off.
#include <gtest/gtest.h>

#include <string>

#include "alerts_support.h"

using namespace alerts_test;

TEST(AlertTls, AnHttpsReceiverIsVerifiedAgainstTheConfiguredCa) {
  const auto tls = self_signed();
  if (!tls) GTEST_SKIP() << "openssl (the command) is not installed";
  Receiver receiver({}, tls->cert, tls->key);
  ASSERT_EQ(receiver.url().rfind("https://", 0), 0u);

  AlertPanel trusting(loopback_env({{"IRON_ALERT_CA_FILE", tls->cert}}));
  const json ch = trusting.add_channel(receiver.url("/hook"));
  const json ok = trusting.send_test(ch["id"]);
  EXPECT_EQ(ok["delivered"], true) << ok.dump();
  EXPECT_EQ(ok["status_code"], 200);
  const auto got = receiver.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(signature_valid(got[0], ch["signing_secret"]));

  // The same receiver, a server that does not trust its certificate: refused before any byte
  // of the alert is sent.
  AlertPanel wary(loopback_env());
  const json other = wary.add_channel(receiver.url("/hook"));
  const json refused = wary.send_test(other["id"]);
  EXPECT_EQ(refused["delivered"], false);
  EXPECT_TRUE(refused["status_code"].is_null());
  EXPECT_NE(refused.value("error", "").find("SSL"), std::string::npos) << refused.dump();
  EXPECT_EQ(receiver.received().size(), 1u) << "nothing reached the receiver";
}
