// /api/v1/alert-channels: notification channels for alerts (docs/alerts.md), admins only.
// The rules live in domain/alert_channels: URLs and signing secrets are sealed and never
// returned (a webhook's secret once, by create), every attempt is in the channel's log.
// Email channels (domain/alert_email.h) name recipients instead of a URL.
#include "api/array_field.h"
#include "api/body.h"
#include "api/collection.h"
#include "api/endpoint.h"
#include "api/routes.h"
#include "domain/alert_channels.h"
#include "util/json_optional.h"
#include "util/mail_address.h"

namespace iron::api {
namespace {

using namespace openapi;

json url_schema() {
  return described(str(1, 2000),
                   "http:// or https:// URL of the receiver, no credentials in it. Stored encrypted and never "
                   "returned (an incoming-webhook URL is itself a secret); responses show `url_origin` only. "
                   "Refused (400 DESTINATION_REFUSED) when its host is not in IRON_ALERT_ALLOWED_HOSTS or it is a "
                   "loopback, private or link-local address, unless IRON_ALERT_ALLOW_PRIVATE_DESTINATIONS=1");
}

json recipients_schema() {
  json s = array_of(described(str(3, util::kMailAddressMax), "a plain address such as ops@example.com"));
  s["minItems"] = 1;
  s["maxItems"] = domain::kEmailRecipientsMax;
  return described(s, "email channels: who receives the alerts (plain addresses: no display names, quotes, spaces "
                      "or line breaks)");
}

json subject_prefix_schema() {
  return described(str(0, domain::kEmailSubjectPrefixMax),
                   "email channels: starts every subject (default `[ironpanel]`); no line breaks");
}

// The recipients list is checked here for shape; which addresses pass is the domain's.
template <class Body>
typename BodyFields<Body>::Reader recipients_reader(std::optional<std::vector<std::string>> Body::*member) {
  return array_reader("recipients", member, "an array of email addresses", domain::kEmailRecipientsMax * 2,
                      [](const json& r) {
                        return r.is_string() && r.get_ref<const std::string&>().size() <= util::kMailAddressMax * 2;
                      });
}

struct NewChannelBody {
  std::string name, kind;
  std::optional<std::string> url, subject_prefix;
  std::optional<std::vector<std::string>> recipients;
};
const auto kNewChannel = BodyFields<NewChannelBody>()
    .text("name", &NewChannelBody::name, 1, domain::kAlertNameMax)
    .one_of("kind", &NewChannelBody::kind, {"webhook", "slack", "email"})
    .describe("webhook: a signed JSON POST; slack: a Slack-compatible incoming webhook (Slack, Mattermost, "
              "Rocket.Chat); email: a message to `recipients` through the operator's SMTP relay (409 "
              "SMTP_NOT_CONFIGURED when there is none)")
    .text("url", &NewChannelBody::url, 2000).schema_with(url_schema())
    .describe("webhook and slack channels (required there)")
    .custom("recipients", false, recipients_schema(), recipients_reader(&NewChannelBody::recipients))
    .describe("email channels (required there)")
    .text("subject_prefix", &NewChannelBody::subject_prefix, domain::kEmailSubjectPrefixMax)
    .schema_with(subject_prefix_schema());

struct ChannelPatchBody {
  std::optional<std::string> name, url, subject_prefix;
  std::optional<bool> is_enabled;
  std::optional<std::vector<std::string>> recipients;
};
const auto kChannelPatch = BodyFields<ChannelPatchBody>()
    .refuse("kind", errors::immutable("kind", "create a new channel and delete this one"), /*even_null=*/true)
    .text("name", &ChannelPatchBody::name, domain::kAlertNameMax)
    .text("url", &ChannelPatchBody::url, 2000).schema_with(url_schema())
    .describe("webhook and slack channels")
    .custom("recipients", false, recipients_schema(), recipients_reader(&ChannelPatchBody::recipients))
    .text("subject_prefix", &ChannelPatchBody::subject_prefix, domain::kEmailSubjectPrefixMax)
    .schema_with(subject_prefix_schema())
    .boolean("is_enabled", &ChannelPatchBody::is_enabled)
    .describe("a disabled channel receives nothing; its pending alerts wait until it is enabled again")
    .at_least_one();

Reply create_channel(const Call& c, const NewChannelBody& in) {
  // Which of url and recipients is required depends on the kind.
  if (in.kind == "email" && !in.recipients) return errors::missing_field("recipients");
  if (in.kind != "email" && !in.url) return errors::missing_field("url");
  domain::NewAlertChannel channel{in.name, in.kind, in.url.value_or(""),
                                  {in.recipients.value_or(std::vector<std::string>{}), in.subject_prefix.value_or("")}};
  return reply(c.s.alert_channels.create(c.who(), channel, c.context()), 201, domain::alert_channel_view);
}

Reply update_channel(const Call& c, const ChannelPatchBody& in) {
  domain::AlertChannelChanges changes{in.name, in.url, in.is_enabled, in.recipients, in.subject_prefix};
  return reply(c.s.alert_channels.update(c.who(), c.id(), changes, c.context()), 200, domain::alert_channel_view);
}

Reply send_test(const Call& c) {
  auto r = c.s.alert_channels.send_test(c.who(), c.id(), c.context());
  if (!r) return r.error();
  const auto& o = r->outcome;
  return json_response(200, {{"delivered", o.delivered},
                             {"delivery_id", r->delivery_id},
                             {"status_code", o.status},
                             {"error", o.delivered ? json(nullptr) : json(o.error)},
                             {"duration_ms", o.duration_ms}});
}

struct DeliveryPageQuery {
  int64_t limit = 50;
  std::optional<int64_t> cursor;
};
const auto kDeliveryPage = QueryFields<DeliveryPageQuery>()
    .integer("limit", &DeliveryPageQuery::limit, 1, 200, "rows per page (default 50)")
    .integer("cursor", &DeliveryPageQuery::cursor, 1, INT64_MAX, "`next_cursor` of the previous page");

Reply list_deliveries(const Call& c, const DeliveryPageQuery& q) {
  const int64_t page_size = q.limit;
  auto rows = c.s.alert_channels.deliveries(c.who(), c.id(), q.cursor, page_size + 1);  // +1: is there more?
  if (!rows) return rows.error();
  const bool more = static_cast<int64_t>(rows->size()) > page_size;
  if (more) rows->resize(static_cast<size_t>(page_size));
  return json_response(200, {{"items", json_array_of(*rows, domain::alert_delivery_view)},
                             {"next_cursor", more ? json(std::to_string(rows->back().id)) : json(nullptr)}});
}

const auto channels = collection(
    {.tag = "alerts", .access = Auth::admin, .id_schema = integer_range(1, INT64_MAX, "alert channel id")},
    {.path = "/api/v1/alert-channels", .schema = "AlertChannel", .one = "a notification channel",
     .all = "the notification channels", .row = "channel"},
    [](Services& s) -> domain::AlertChannels& { return s.alert_channels; },
    domain::alert_channel_view);

}  // namespace

std::vector<Endpoint> alert_channel_endpoints() {
  auto e = channels.endpoints(
      {channels.create_op()
           .returns(201, ref("AlertChannelCreated"), "Created; the only answer with the signing secret")
           .errors(400, {"VALIDATION_ERROR", "DESTINATION_REFUSED"})
           .errors(409, {"SMTP_NOT_CONFIGURED"}),
       with_body(kNewChannel, create_channel)},
      {channels.update_op().errors(400, {"VALIDATION_ERROR", "DESTINATION_REFUSED"}),
       with_body(kChannelPatch, update_channel)});
  e.push_back({channels.ops("POST", "/api/v1/alert-channels/:id/test", "testAlertChannel", "Send a test alert now")
                    .returns(200,
                             object({{"delivered", boolean("the receiver answered 2xx")},
                                     {"delivery_id", described(str(), "the payload's `id`")},
                                     {"status_code", nullable(integer("the receiver's HTTP status, or the SMTP relay's "
                                                                      "reply code for email channels"))},
                                     {"error", nullable(described(str(), "why it was not delivered"))},
                                     {"duration_ms", integer()}},
                                    {"delivered", "delivery_id", "status_code", "error", "duration_ms"}),
                             "The attempt's outcome"),
               send_test});
  e.push_back({channels.ops("GET", "/api/v1/alert-channels/:id/deliveries", "listAlertDeliveries",
                            "The channel's delivery log, newest first")
                    .returns(200, ref("AlertDeliveryPage"), "One page of attempts")
                    .errors(400, {"VALIDATION_ERROR"}),
               with_query(kDeliveryPage, list_deliveries)});
  return e;
}

namespace openapi {

json alert_component_schemas() {
  auto channel = [](bool created) {
    json props = {{"id", integer("alert channel id")},
                  {"name", str(1, 200)},
                  {"kind", one_of_strings({"webhook", "slack", "email"})},
                  {"url_origin", described(str(), "scheme://host[:port] of the receiver; the URL itself is never "
                                                  "returned. Email channels: `mailto:` and the recipients")},
                  {"is_enabled", boolean()},
                  {"pending_deliveries", integer("alerts waiting to be delivered (retries included)")},
                  {"created_by", user_id_schema()},
                  {"created_at", rfc3339("creation time")},
                  {"updated_at", rfc3339("last change")}};
    std::vector<std::string> required = {"id", "name", "kind", "url_origin", "is_enabled", "pending_deliveries",
                                         "created_by", "created_at", "updated_at"};
    props["recipients"] = recipients_schema();
    props["subject_prefix"] = subject_prefix_schema();
    if (created)
      props["signing_secret"] = described(str(), "webhooks only: the HMAC key of X-Ironpanel-Signature. Shown once.");
    return object(props, required);
  };
  json delivery = object({{"id", integer("log row id")},
                          {"delivery_id", described(str(), "the payload's `id` (idempotency key; the same for every attempt of one alert)")},
                          {"event_type", str()},
                          {"attempt", integer("1 for the first attempt")},
                          {"outcome", one_of_strings({"delivered", "retrying", "failed"})},
                          {"status_code", nullable(integer("the receiver's HTTP status, or the SMTP relay's reply "
                                                           "code for email channels (4xx transient, 5xx permanent)"))},
                          {"error", nullable(described(str(), "why the attempt failed; never holds the URL, secret or "
                                                              "SMTP password"))},
                          {"duration_ms", integer()},
                          {"at", rfc3339("attempt time")}},
                         {"id", "delivery_id", "event_type", "attempt", "outcome", "status_code", "error",
                          "duration_ms", "at"});
  return {{"AlertChannel", channel(false)},
          {"AlertChannelCreated", channel(true)},
          {"AlertDelivery", delivery},
          {"AlertDeliveryPage", object({{"items", array_of(ref("AlertDelivery"))},
                                        {"next_cursor", nullable(described(str(), "pass as `cursor` for older rows"))}},
                                       {"items", "next_cursor"})},
          {"AlertRule", alert_rule_schema()}};
}

}  // namespace openapi
}  // namespace iron::api
