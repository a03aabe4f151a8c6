#include "server/autodiscover/autodiscover_service.hpp"

#include <functional>
#include <optional>
#include <variant>
#include <string_view>

#include "autodiscover/autodiscover_codec.hpp"
#include "server/store/sample_org.hpp"

namespace exmapi::server::autodiscover_server {

namespace ad = exmapi::autodiscover;

namespace {

constexpr uint32_t kPidSmtpAddress = 0x39FE;  // PidTagSmtpAddress's property ID

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The mailbox whose primary SMTP address is `email` (case-insensitively), if the store has one.
const store::AbObject* mailbox_of(const store::Directory& dir, std::string_view email) {
  auto at = email.find('@');
  if (at == std::string_view::npos) return nullptr;
  const store::AbObject* o = dir.find_account(email.substr(0, at));
  if (o == nullptr) return nullptr;
  const ndr::nspi::PropertyValue* smtp = o->find(kPidSmtpAddress);
  const std::string* text = smtp ? std::get_if<std::string>(&smtp->value) : nullptr;
  if (text == nullptr || lower(*text) != lower(email)) return nullptr;
  return o;
}

// RFC 3986 percent-decoding of one query component ('+' is a space in form encoding).
std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
      };
      int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi << 4 | lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The value of query parameter `name` (case-insensitive name), decoded; nullopt when absent or malformed.
std::optional<std::string> query_value(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (lower(pair.substr(0, eq)) == lower(name)) {
      if (eq == std::string_view::npos) return std::string();
      return percent_decode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

http::Response document(unsigned status, const std::string& content_type, const std::string& text) {
  http::Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", content_type);
  r.headers.emplace_back("Cache-Control", "private");
  r.body.assign(text.begin(), text.end());
  return r;
}

class Answered final : public http::Exchange {
 public:
  explicit Answered(std::function<http::Response(const Bytes&)> fn) : fn_(std::move(fn)) {}
  std::optional<http::Response> on_body(ByteView chunk) override {
    if (body_.size() + chunk.size() > kMaxBody) return http::Response::text(413, "an Autodiscover request is small");
    body_.insert(body_.end(), chunk.begin(), chunk.end());
    return std::nullopt;
  }
  http::Response on_complete() override { return fn_(body_); }

 private:
  static constexpr size_t kMaxBody = 64 * 1024;
  std::function<http::Response(const Bytes&)> fn_;
  Bytes body_;
};

}  // namespace

struct AutodiscoverService::Impl {
  const store::Directory& dir;
  std::mutex mutex;
  std::string base, host;

  explicit Impl(const store::Directory& d) : dir(d) {}

  std::pair<std::string, std::string> where() {
    std::lock_guard lock(mutex);
    return {base, host};
  }

  // MS-OXDSCLI 2.2.4.1.1.2.6 (mapiHttp) and 2.2.4.1.1.2.4 (EXPR) for one mailbox.
  ad::PoxResponse settings(const store::AbObject& o, const std::string& email) {
    auto [b, h] = where();
    ad::PoxResponse r;
    r.user = ad::UserSettings{o.display_name(), o.dn, dir.server_guid().to_string().substr(1, 36), email};
    r.account.emplace();
    r.account->action = "settings";
    ad::ProtocolSettings mapi;
    mapi.type_attribute = "mapiHttp";
    mapi.version_attribute = "1";
    std::string mailbox_id = "?MailboxId=" + ad::percent_encode(email);
    mapi.mail_store = {b + "/mapi/emsmdb/" + mailbox_id, b + "/mapi/emsmdb/" + mailbox_id};
    mapi.address_book = {b + "/mapi/nspi/" + mailbox_id, b + "/mapi/nspi/" + mailbox_id};
    r.account->protocols.push_back(mapi);
    ad::ProtocolSettings expr;
    expr.type = "EXPR";
    expr.set("Server", h);
    expr.set("SSL", b.rfind("https:", 0) == 0 ? "On" : "Off");
    expr.set("AuthPackage", "Ntlm");
    r.account->protocols.push_back(expr);
    return r;
  }

  http::Response pox(const http::Request& req, const Bytes& body) {
    ad::PoxResponse out;
    ad::ErrorSettings error;
    error.time = "00:00:00";
    error.id = "0";
    try {
      ad::PoxRequest rq = ad::parse_pox_request(std::string_view(reinterpret_cast<const char*>(body.data()), body.size()));
      const store::AbObject* o = nullptr;
      std::string email = rq.email_address;
      if (!rq.legacy_dn.empty()) o = dir.find_dn(rq.legacy_dn);  // the DN wins over the address (3.2.5)
      else o = mailbox_of(dir, email);
      if (o != nullptr && email.empty()) email = o->account + "@" + std::string(sample::kMailDomain);
      if (o == nullptr) {
        error.error_code = "500";
        error.message = "The email address can't be found.";
      } else if (lower(o->account) != lower(req.user)) {
        // Settings are the authenticated user's own (3.2.5.1 leaves access control to the server).
        error.error_code = "500";
        error.message = "The email address can't be found.";
        error.debug_data = "another account's mailbox";
      } else {
        out = settings(*o, email);
      }
    } catch (const std::exception& e) {
      error.error_code = "600";
      error.message = "Invalid Request";
      error.debug_data = e.what();
    }
    if (!out.account) out.error = error;
    return document(200, "text/xml; charset=utf-8", ad::build_pox_response(out));
  }

  http::Response json(const http::Request& req) {
    std::optional<std::string> email = query_value(req.query, "Email");
    std::optional<std::string> protocol = query_value(req.query, "Protocol");
    ad::JsonV2Response out;
    if (!email || !protocol || email->empty() || protocol->empty()) {
      out.error_code = "InvalidParameter";
      out.error_message = "Email and Protocol are required";
      return document(400, "application/json", ad::build_json_v2_response(out));
    }
    auto [b, h] = where();
    std::string p = lower(*protocol);
    if (mailbox_of(dir, *email) == nullptr) {
      out.error_code = "MailboxNotFound";
      out.error_message = "No mailbox is served here for " + *email;
      return document(404, "application/json", ad::build_json_v2_response(out));
    }
    out.protocol = *protocol;
    if (p == "mapihttp") {
      out.url = b + "/mapi/emsmdb/?MailboxId=" + ad::percent_encode(*email);
    } else if (p == "expr" || p == "rpc" || p == "rpchttp") {
      out.url = b + "/rpc/rpcproxy.dll";
    } else {
      out = {};
      out.error_code = "InvalidProtocol";
      out.error_message = "The given protocol value '" + *protocol + "' is invalid. Supported values are 'MapiHttp' and 'Expr'.";
      return document(400, "application/json", ad::build_json_v2_response(out));
    }
    return document(200, "application/json", ad::build_json_v2_response(out));
  }
};

AutodiscoverService::AutodiscoverService(const store::Directory& directory)
    : impl_(std::make_shared<Impl>(directory)) {}

void AutodiscoverService::set_public_base(std::string base_url, std::string host) {
  std::lock_guard lock(impl_->mutex);
  impl_->base = std::move(base_url);
  impl_->host = std::move(host);
}

void AutodiscoverService::attach(http::HttpServer& server) {
  auto impl = impl_;
  for (const char* dir : {"/autodiscover/", "/Autodiscover/"}) {
    for (const char* file : {"autodiscover.xml", "Autodiscover.xml"})
      server.add_route(
          std::string(dir) + file,
          [impl](const http::Request& req) -> std::unique_ptr<http::Exchange> {
            if (req.method != "POST")
              return std::make_unique<Answered>(
                  [](const Bytes&) { return http::Response::text(405, "POST the Autodiscover request"); });
            return std::make_unique<Answered>([impl, req](const Bytes& body) { return impl->pox(req, body); });
          },
          true);
    for (const char* file : {"autodiscover.json", "Autodiscover.json"})
      server.add_route(
          std::string(dir) + file,
          [impl](const http::Request& req) -> std::unique_ptr<http::Exchange> {
            if (req.method != "GET")
              return std::make_unique<Answered>(
                  [](const Bytes&) { return http::Response::text(405, "GET the Autodiscover v2 document"); });
            return std::make_unique<Answered>([impl, req](const Bytes&) { return impl->json(req); });
          },
          false);
  }
}

}  // namespace exmapi::server::autodiscover_server
