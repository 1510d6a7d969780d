#include "outbound/smtp_client.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>

#include "outbound/mail_message.h"
#include "outbound/socket_stream.h"
#include "util/blocking.h"

namespace iron::outbound {
namespace {

constexpr size_t kReplyLineMax = 2000;
constexpr int kReplyLinesMax = 100;
constexpr size_t kShownTextMax = 200;

struct SmtpReply {
  int code = 0;
  std::vector<std::string> lines;  // the text after "NNN-" / "NNN "
};

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

// One SMTP conversation; every failure leaves `outcome.error` (and `status` when the relay
// answered) set and returns false.
class Session {
 public:
  Session(const SmtpRelay& relay, const Policy& policy, PostOutcome& outcome)
      : relay_(relay), policy_(policy), out_(outcome) {}

  bool run(const std::string& from, const std::vector<std::string>& recipients, const std::string& message) {
    const Url url{"smtp", relay_.host, relay_.port, "/"};
    auto address = resolve_checked(url, policy_);
    if (!address) return fail_plain(address.error().message);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(policy_.timeout_ms);
    std::string error;
    stream_ = SocketStream::connect(*address, relay_.port, deadline, error);
    if (!stream_) return fail_plain("cannot connect to the SMTP relay: " + error);
    if (relay_.tls == SmtpTls::tls && !stream_->start_tls(relay_.host, policy_.ca_file, error))
      return fail_plain(error);
    if (!expect("greeting", std::nullopt, {220})) return false;
    const std::string helo_domain = from.substr(from.rfind('@') + 1);
    if (!ehlo(helo_domain)) return false;
    if (relay_.tls == SmtpTls::starttls) {
      if (!offers("STARTTLS")) return fail_plain("the SMTP relay does not offer STARTTLS (IRON_SMTP_TLS=starttls)");
      if (!expect("STARTTLS", "STARTTLS", {220})) return false;
      if (!stream_->start_tls(relay_.host, policy_.ca_file, error)) return fail_plain(error);
      if (!ehlo(helo_domain)) return false;  // RFC 3207: forget what was learnt before TLS
    }
    if (!relay_.username.empty() && !authenticate()) return false;
    if (!expect("MAIL FROM", "MAIL FROM:<" + from + ">", {250})) return false;
    for (const auto& r : recipients)
      if (!expect("RCPT TO", "RCPT TO:<" + r + ">", {250, 251})) return false;
    if (!expect("DATA", "DATA", {354})) return false;
    if (!stream_->write_all(dot_stuff(message), error)) return fail_plain("sending the message failed: " + error);
    if (!expect("the message", std::nullopt, {250})) return false;
    out_.status = 250;
    out_.delivered = true;
    std::string ignored;
    stream_->write_all("QUIT\r\n", ignored);  // the message is accepted; the goodbye is a courtesy
    return true;
  }

 private:
  bool fail_plain(const std::string& why) {
    out_.error = why;
    return false;
  }

  // The relay's words, printable ASCII only and short; never when they could echo the credentials.
  std::string shown_text(const SmtpReply& reply) const {
    std::string text;
    for (const auto& line : reply.lines) {
      if (!text.empty()) text += ' ';
      text += line;
    }
    text.erase(std::remove_if(text.begin(), text.end(), [](unsigned char c) { return c < 0x20 || c >= 0x7f; }),
               text.end());
    if (text.size() > kShownTextMax) text.resize(kShownTextMax);
    if (!relay_.password.empty() && text.find(relay_.password) != std::string::npos) return "";
    return text;
  }

  bool refused(const std::string& stage, const SmtpReply& reply, bool show_text) {
    out_.status = reply.code;
    const std::string kind = reply.code >= 400 && reply.code < 500   ? "transient SMTP failure"
                             : reply.code >= 500 && reply.code < 600 ? "permanent SMTP failure"
                                                                     : "unexpected SMTP reply";
    const std::string text = show_text ? shown_text(reply) : "";
    out_.error = kind + " at " + stage + ": " + std::to_string(reply.code) + (text.empty() ? "" : " " + text);
    return false;
  }

  std::optional<SmtpReply> read_reply(std::string& error) {
    SmtpReply reply;
    for (int n = 0; n < kReplyLinesMax; ++n) {
      auto line = stream_->read_line(kReplyLineMax, error);
      if (!line) return std::nullopt;
      if (line->size() < 3 || !std::all_of(line->begin(), line->begin() + 3, [](unsigned char c) { return std::isdigit(c); }) ||
          (line->size() > 3 && (*line)[3] != '-' && (*line)[3] != ' '))
        return error = "the relay's reply is not SMTP", std::nullopt;
      const int code = std::stoi(line->substr(0, 3));
      if (n > 0 && code != reply.code) return error = "the relay's reply is not SMTP", std::nullopt;
      reply.code = code;
      reply.lines.push_back(line->size() > 4 ? line->substr(4) : "");
      if (line->size() == 3 || (*line)[3] == ' ') return reply;
    }
    return error = "the relay's reply is too long", std::nullopt;
  }

  // Sends `command` (unless nullopt) and reads the reply; false unless its code is in `ok`.
  bool expect(const std::string& stage, const std::optional<std::string>& command, std::initializer_list<int> ok,
              bool show_text = true) {
    std::string error;
    if (command && !stream_->write_all(*command + "\r\n", error))
      return fail_plain("the SMTP relay connection failed at " + stage + ": " + error);
    auto reply = read_reply(error);
    if (!reply) return fail_plain("the SMTP relay connection failed at " + stage + ": " + error);
    last_ = *reply;
    if (std::find(ok.begin(), ok.end(), reply->code) == ok.end()) return refused(stage, *reply, show_text);
    return true;
  }

  bool ehlo(const std::string& domain) {
    if (!expect("EHLO", "EHLO " + domain, {250})) return false;
    capabilities_.clear();
    for (size_t i = 1; i < last_.lines.size(); ++i) capabilities_.push_back(upper(last_.lines[i]));
    return true;
  }

  bool offers(const std::string& keyword) const {
    return std::any_of(capabilities_.begin(), capabilities_.end(), [&](const std::string& c) {
      return c == keyword || c.rfind(keyword + " ", 0) == 0;
    });
  }

  bool offers_auth(const std::string& mechanism) const {
    for (const auto& c : capabilities_) {
      if (c.rfind("AUTH", 0) != 0 || c.size() < 5 || (c[4] != ' ' && c[4] != '=')) continue;
      // The mechanisms are space-separated words after "AUTH " (or the old "AUTH=").
      size_t at = 5;
      while (at < c.size()) {
        const size_t end = std::min(c.find(' ', at), c.size());
        if (c.compare(at, end - at, mechanism) == 0 && end - at == mechanism.size()) return true;
        at = end + 1;
      }
    }
    return false;
  }

  bool authenticate() {
    if (!stream_->is_tls() && !relay_.allow_plaintext_auth)
      return fail_plain("refusing to send SMTP credentials over a plaintext connection "
                        "(IRON_SMTP_ALLOW_PLAINTEXT_AUTH=1 allows it)");
    // The relay's text is not shown for AUTH: some relays echo the (base64) credentials.
    if (offers_auth("PLAIN")) {
      const std::string token = base64(std::string(1, '\0') + relay_.username + std::string(1, '\0') + relay_.password);
      return expect("AUTH", "AUTH PLAIN " + token, {235}, false);
    }
    if (offers_auth("LOGIN")) {
      return expect("AUTH", "AUTH LOGIN", {334}, false) && expect("AUTH", base64(relay_.username), {334}, false) &&
             expect("AUTH", base64(relay_.password), {235}, false);
    }
    return fail_plain("the SMTP relay offers neither AUTH PLAIN nor AUTH LOGIN");
  }

  const SmtpRelay& relay_;
  const Policy& policy_;
  PostOutcome& out_;
  std::unique_ptr<SocketStream> stream_;
  SmtpReply last_;
  std::vector<std::string> capabilities_;
};

}  // namespace

PostOutcome send_mail(const SmtpRelay& relay, const std::string& from, const std::vector<std::string>& recipients,
                      const std::string& message, const Policy& policy) {
  util::before_blocking();
  const auto started = std::chrono::steady_clock::now();
  PostOutcome out;
  if (!relay.configured()) {
    out.error = "no SMTP relay is configured (IRON_SMTP_HOST)";
  } else {
    Session(relay, policy, out).run(from, recipients, message);
  }
  out.duration_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  return out;
}

}  // namespace iron::outbound
