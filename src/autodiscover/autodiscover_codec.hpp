// The Autodiscover documents of MS-OXDSCLI (POX request and response, 2.2.3 and 2.2.4) and the
// Autodiscover v2 JSON answer, as one description each: the reference server builds them with the
// build_* functions, the client reads them with the parse_* functions, and the tests hold the two
// to each other. Parsers treat their input as hostile: a DTD is refused, no entity is expanded,
// nothing is fetched from the network, and errors name the element.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace exmapi::autodiscover {

inline constexpr std::string_view kRequestNamespace =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006";
inline constexpr std::string_view kResponseNamespace =
    "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";
inline constexpr std::string_view kOutlookResponseNamespace =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

// ---- request (2.2.3) ----------------------------------------------------------------------------
struct PoxRequest {
  std::string email_address;
  std::string legacy_dn;  // optional; wins over the address on the server (3.2.5)
  std::string acceptable_response_schema = std::string(kOutlookResponseNamespace);
  bool operator==(const PoxRequest&) const = default;
};
std::string build_pox_request(const PoxRequest& request);
PoxRequest parse_pox_request(std::string_view xml);

// ---- response (2.2.4) ---------------------------------------------------------------------------
struct UrlPair {
  std::string internal_url;
  std::string external_url;
  bool empty() const { return internal_url.empty() && external_url.empty(); }
  bool operator==(const UrlPair&) const = default;
};

// One Protocol element. The text-only children (Server, ServerDN, SSL, AuthPackage, ASUrl, ...)
// are kept by name in document order, so that elements this code does not interpret still
// round-trip; MailStore and AddressBook are the MAPI/HTTP additions.
struct ProtocolSettings {
  std::string type;          // <Type> child: "EXCH", "EXPR", "WEB"
  std::string type_attribute;  // Type="mapiHttp" attribute (MAPI/HTTP protocol element)
  std::string version_attribute;  // Version="1" with Type="mapiHttp"
  std::vector<std::pair<std::string, std::string>> settings;
  UrlPair mail_store;
  UrlPair address_book;

  bool is_mapi_http() const;
  // The first setting of that name, or "".
  std::string get(std::string_view name) const;
  ProtocolSettings& set(std::string name, std::string value);
  bool operator==(const ProtocolSettings&) const = default;
};

struct UserSettings {
  std::string display_name;
  std::string legacy_dn;
  std::string deployment_id;
  std::string autodiscover_smtp_address;
  bool operator==(const UserSettings&) const = default;
};

struct AccountSettings {
  std::string account_type = "email";
  std::string action;  // "settings", "redirectAddr", "redirectUrl"
  std::string redirect_addr;
  std::string redirect_url;
  std::vector<ProtocolSettings> protocols;
  bool operator==(const AccountSettings&) const = default;
};

struct ErrorSettings {
  std::string time;
  std::string id;
  std::string error_code;  // 500..603 in 2.2.4.1.1.3.2, kept as text: servers send others
  std::string message;
  std::string debug_data;
  bool operator==(const ErrorSettings&) const = default;
};

struct PoxResponse {
  std::optional<UserSettings> user;
  std::optional<AccountSettings> account;
  std::optional<ErrorSettings> error;
  bool operator==(const PoxResponse&) const = default;
};

std::string build_pox_response(const PoxResponse& response);
PoxResponse parse_pox_response(std::string_view xml);

// ---- Autodiscover v2 (JSON) ---------------------------------------------------------------------
// GET /autodiscover/autodiscover.json?Email=ADDR&Protocol=NAME answers {"Protocol":..,"Url":..}
// or, on failure, {"ErrorCode":..,"ErrorMessage":..}.
struct JsonV2Response {
  std::string protocol;
  std::string url;
  std::string error_code;
  std::string error_message;
  bool operator==(const JsonV2Response&) const = default;
};
std::string build_json_v2_response(const JsonV2Response& response);
JsonV2Response parse_json_v2_response(std::string_view json);
// The query path for an address and protocol, percent-encoded.
std::string json_v2_path(std::string_view email, std::string_view protocol);

std::string percent_encode(std::string_view text);

}  // namespace exmapi::autodiscover
