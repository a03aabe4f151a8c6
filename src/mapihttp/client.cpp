// MAPI over HTTP client: request headers (2.2.3.1, 2.2.3.3), the response stream read as it
// arrives with the codec's parser, and failures turned into errors a user can act on.
#include "mapihttp/client.hpp"

#include <exmapi/mapi_errors.h>

#include <cstdio>
#include <exception>
#include <random>

namespace exmapi::mapihttp {

namespace {

constexpr size_t kDiagnosticBytes = 2048;  // kept of a failure's text/html body for the message

std::string hex32(uint32_t v) {
  char buf[11];
  std::snprintf(buf, sizeof buf, "0x%08X", v);
  return buf;
}

// The readable text of a diagnostic HTML body: tags dropped, blanks collapsed, shortened.
std::string html_text(std::string_view html) {
  std::string out;
  bool in_tag = false, blank = false;
  for (char c : html) {
    if (c == '<') in_tag = true;
    else if (c == '>') {
      in_tag = false;
      blank = !out.empty();
    } else if (!in_tag) {
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        blank = !out.empty();
      } else {
        if (blank) out += ' ';
        blank = false;
        out += c;
      }
    }
    if (out.size() > 300) break;
  }
  return out;
}

exmapi_status response_code_status(uint32_t code) {
  switch (static_cast<ResponseCode>(code)) {
    case ResponseCode::AnonymousNotAllowed:
    case ResponseCode::NoPrivilege: return EXMAPI_E_AUTH;
    case ResponseCode::TooLarge: return EXMAPI_E_LIMIT;
    default: return EXMAPI_E_PROTOCOL;
  }
}

std::string response_code_message(RequestType type, uint32_t code, const std::string& detail) {
  std::string m = "the MAPI/HTTP server refused " + std::string(request_type_name(type)) + " with X-ResponseCode " +
                  std::to_string(code);
  if (const char* name = response_code_name(code)) m += std::string(" (") + name + ": " + response_code_meaning(code) + ")";
  if (!detail.empty()) m += ": " + detail;
  return m;
}

// A MAPI code with the severity bit set is a failure; warnings (ErrorsReturned...) are not.
bool mapi_failure(uint32_t code) { return (code & 0x80000000u) != 0; }

}  // namespace

ResponseCodeError::ResponseCodeError(RequestType type, uint32_t code, const std::string& detail)
    : Error(response_code_status(code), response_code_message(type, code, detail)), code_(code) {}

bool ResponseCodeError::session_context_lost() const noexcept {
  switch (static_cast<ResponseCode>(code_)) {
    case ResponseCode::InvalidContextCookie:
    case ResponseCode::ContextNotFound:
    case ResponseCode::MissingCookie:
    case ResponseCode::InvalidSequence: return true;
    default: return false;
  }
}

Guid random_guid() {
  std::random_device rd;
  Guid g;
  for (size_t i = 0; i < g.bytes.size(); i += 4) {
    uint32_t v = rd();
    for (size_t j = 0; j < 4; ++j) g.bytes[i + j] = static_cast<uint8_t>(v >> (8 * j));
  }
  // RFC 4122 version 4, variant 10 (wire order: Data3's high byte is bytes[7]).
  g.bytes[7] = static_cast<uint8_t>((g.bytes[7] & 0x0F) | 0x40);
  g.bytes[8] = static_cast<uint8_t>((g.bytes[8] & 0x3F) | 0x80);
  return g;
}

ClientIdentity ClientIdentity::fresh() {
  ClientIdentity id;
  id.client_guid = random_guid();
  return id;
}

// ---- EndpointClient ----------------------------------------------------------------------------------

EndpointClient::EndpointClient(std::shared_ptr<http::HttpClient> http, std::string url,
                               std::shared_ptr<ClientIdentity> identity)
    : http_(std::move(http)), url_(std::move(url)), identity_(std::move(identity)) {
  if (!http_) throw Error(EXMAPI_E_INVALID_ARGUMENT, "MAPI/HTTP endpoint without an HTTP client");
  if (!identity_) identity_ = std::make_shared<ClientIdentity>(ClientIdentity::fresh());
  if (url_.empty()) throw Error(EXMAPI_E_INVALID_ARGUMENT, "the MAPI/HTTP endpoint URL is empty");
  begin_context();
}

void EndpointClient::begin_context() {
  request_ids_ = RequestIdSequence(random_guid());
  client_info_ = format_sequenced_id({identity_->client_guid, identity_->next_context++});
}

http::HttpRequest EndpointClient::make_request(RequestType type, ByteView body) {
  http::HttpRequest req;
  req.method = "POST";
  req.url = url_;
  last_request_id_ = request_ids_.next();
  req.headers = {
      {std::string(header::RequestType), std::string(request_type_name(type))},
      {std::string(header::RequestId), last_request_id_},
      {std::string(header::ClientInfo), client_info_},
      {std::string(header::ClientApplication), identity_->application},
      {std::string(header::ContentType), std::string(kContentType)},
      {"Accept", std::string(kContentType)},
  };
  req.body.assign(reinterpret_cast<const char*>(body.data()), body.size());
  return req;
}

void EndpointClient::check_response_code(RequestType type, const http::HttpResponse& response,
                                         std::string_view body_text) {
  std::optional<std::string> code_text = response.header(header::ResponseCode);
  if (response.status != 200) {
    if (code_text) {
      if (auto code = parse_decimal(*code_text); code && *code != 0)
        throw ResponseCodeError(type, static_cast<uint32_t>(*code), html_text(body_text));
    }
    throw Error(response.status == 403 ? EXMAPI_E_AUTH : EXMAPI_E_PROTOCOL,
                "the MAPI/HTTP server at " + url_ + " answered " + std::string(request_type_name(type)) + " with HTTP " +
                    std::to_string(response.status) + (body_text.empty() ? "" : ": " + html_text(body_text)));
  }
  if (!code_text)
    throw Error(EXMAPI_E_PROTOCOL, url_ + " is not a MAPI/HTTP endpoint: its answer to " +
                                       std::string(request_type_name(type)) + " has no X-ResponseCode header");
  std::optional<uint64_t> code = parse_decimal(*code_text);
  if (!code) throw Error(EXMAPI_E_PROTOCOL, "X-ResponseCode \"" + *code_text + "\" is not a number");
  if (*code != 0) throw ResponseCodeError(type, static_cast<uint32_t>(*code), html_text(body_text));
  if (auto exp = response.header(header::ExpirationInfo))
    if (auto ms = parse_decimal(*exp)) expiration_ms_ = *ms;
}

Bytes EndpointClient::round_trip(RequestType type, ByteView body) {
  http::HttpRequest req = make_request(type, body);
  ResponseStreamParser parser;
  std::exception_ptr stream_error;
  std::string head;  // the first bytes as text: a failure's diagnostic HTML
  // The stream is parsed as it arrives (PENDING lines come and go), but judged only once the
  // headers are known: a refused request carries HTML, not a stream.
  http::HttpResponse response = http_->send_streaming(req, [&](std::string_view chunk) {
    if (head.size() < kDiagnosticBytes) head.append(chunk.substr(0, kDiagnosticBytes - head.size()));
    if (stream_error) return;
    try {
      parser.feed(ByteView(reinterpret_cast<const uint8_t*>(chunk.data()), chunk.size()));
    } catch (...) {
      stream_error = std::current_exception();
    }
  });
  check_response_code(type, response, head);
  try {
    if (stream_error) std::rethrow_exception(stream_error);
    parser.finish();
  } catch (const Error& e) {
    throw Error(EXMAPI_E_PROTOCOL, "the " + std::string(request_type_name(type)) + " response stream from " + url_ +
                                       " is malformed: " + e.what());
  }
  // A failure after PROCESSING arrives among the headers after DONE (3.2.5.2).
  if (auto late = parser.header(header::ResponseCode)) {
    std::optional<uint64_t> code = parse_decimal(*late);
    if (!code) throw Error(EXMAPI_E_PROTOCOL, "X-ResponseCode \"" + std::string(*late) + "\" is not a number");
    if (*code != 0) {
      Bytes b = parser.take_body();
      throw ResponseCodeError(type, static_cast<uint32_t>(*code), html_text(std::string_view(reinterpret_cast<const char*>(b.data()), b.size())));
    }
  }
  return parser.take_body();
}

void EndpointClient::ping() {
  http::HttpRequest req = make_request(RequestType::Ping, {});
  http::HttpResponse response = http_->send(req);
  check_response_code(RequestType::Ping, response, response.body);
}

void EndpointClient::check_status(RequestType type, uint32_t status_code, uint32_t error_code) {
  if (status_code != 0)
    throw Error(EXMAPI_E_PROTOCOL, std::string(request_type_name(type)) + " failed on the server: StatusCode " + hex32(status_code));
  if (mapi_failure(error_code)) {
    const char* name = status_name(static_cast<exmapi_status>(error_code));
    throw Error(static_cast<exmapi_status>(error_code),
                std::string(request_type_name(type)) + " failed: " + (name ? name : "MAPI error") + " (" + hex32(error_code) + ")");
  }
}

// ---- MapiHttpSession -----------------------------------------------------------------------------------

namespace {
// MS-OXCMAPIHTTP 2.2.4.1.1: Connect's DefaultCodePage and locales; en-US and Windows-1252 as the
// RPC connect uses them.
constexpr uint32_t kCodePageWindows1252 = 1252, kLocaleEnUs = 0x0409;
}  // namespace

MapiHttpSession::MapiHttpSession(std::shared_ptr<http::HttpClient> http, std::string mailbox_url,
                                 std::shared_ptr<ClientIdentity> identity)
    : endpoint_(std::move(http), std::move(mailbox_url), std::move(identity)) {}

MapiHttpSession::~MapiHttpSession() {
  if (connected_) disconnect(true);
}

const MapiHttpSession::Connected& MapiHttpSession::connect(const std::string& user_dn) {
  endpoint_.begin_context();
  ConnectRequest req;
  req.user_dn = user_dn;
  req.default_code_page = kCodePageWindows1252;
  req.lcid_sort = req.lcid_string = kLocaleEnUs;
  auto r = endpoint_.call<ConnectResponse>(req);
  user_dn_ = user_dn;
  info_ = Connected{r.polls_max, r.retry_count, r.retry_delay, r.dn_prefix, r.display_name};
  connected_ = true;
  return info_;
}

const MapiHttpSession::Connected& MapiHttpSession::reconnect() {
  if (user_dn_.empty()) throw Error(EXMAPI_E_INVALID_ARGUMENT, "reconnect before any Connect");
  connected_ = false;
  ++reconnects_;
  return connect(user_dn_);
}

Bytes MapiHttpSession::execute(uint32_t flags, ByteView rop_buffer, uint32_t max_rop_out) {
  if (!connected_) throw Error(EXMAPI_E_INVALID_ARGUMENT, "Execute without a MAPI/HTTP session (Connect first)");
  ExecuteRequest req;
  req.flags = flags;
  req.rop_buffer.assign(rop_buffer.begin(), rop_buffer.end());
  req.max_rop_out = max_rop_out;
  try {
    return endpoint_.call<ExecuteResponse>(req).rop_buffer;
  } catch (const ResponseCodeError& e) {
    if (e.session_context_lost()) connected_ = false;
    throw;
  }
}

bool MapiHttpSession::notification_wait() {
  if (!connected_) throw Error(EXMAPI_E_INVALID_ARGUMENT, "NotificationWait without a MAPI/HTTP session (Connect first)");
  return (endpoint_.call<NotificationWaitResponse>(NotificationWaitRequest{}).event_pending & 1) != 0;
}

void MapiHttpSession::disconnect(bool quiet) {
  if (!connected_) return;
  connected_ = false;
  try {
    endpoint_.call<DisconnectResponse>(DisconnectRequest{});
  } catch (const std::exception&) {
    if (!quiet) throw;
  }
}

// ---- MapiHttpAddressBook ---------------------------------------------------------------------------------

MapiHttpAddressBook::MapiHttpAddressBook(std::shared_ptr<http::HttpClient> http, std::string address_book_url,
                                         std::shared_ptr<ClientIdentity> identity)
    : endpoint_(std::move(http), std::move(address_book_url), std::move(identity)) {}

MapiHttpAddressBook::~MapiHttpAddressBook() {
  if (bound_) unbind(true);
}

BindResponse MapiHttpAddressBook::bind(const BindRequest& request) {
  endpoint_.begin_context();
  auto r = endpoint_.call<BindResponse>(request);
  bound_ = true;
  return r;
}

void MapiHttpAddressBook::unbind(bool quiet) {
  if (!bound_) return;
  bound_ = false;
  try {
    endpoint_.call<UnbindResponse>(UnbindRequest{});
  } catch (const std::exception&) {
    if (!quiet) throw;
  }
}

CompareMIdsResponse MapiHttpAddressBook::compare_mids(const CompareMIdsRequest& r) { return endpoint_.call<CompareMIdsResponse>(r); }
DNToMIdResponse MapiHttpAddressBook::dn_to_mid(const DNToMIdRequest& r) { return endpoint_.call<DNToMIdResponse>(r); }
GetMatchesResponse MapiHttpAddressBook::get_matches(const GetMatchesRequest& r) { return endpoint_.call<GetMatchesResponse>(r); }
GetPropListResponse MapiHttpAddressBook::get_prop_list(const GetPropListRequest& r) { return endpoint_.call<GetPropListResponse>(r); }
GetPropsResponse MapiHttpAddressBook::get_props(const GetPropsRequest& r) { return endpoint_.call<GetPropsResponse>(r); }
GetSpecialTableResponse MapiHttpAddressBook::get_special_table(const GetSpecialTableRequest& r) {
  return endpoint_.call<GetSpecialTableResponse>(r);
}
GetTemplateInfoResponse MapiHttpAddressBook::get_template_info(const GetTemplateInfoRequest& r) {
  return endpoint_.call<GetTemplateInfoResponse>(r);
}
ModLinkAttResponse MapiHttpAddressBook::mod_link_att(const ModLinkAttRequest& r) { return endpoint_.call<ModLinkAttResponse>(r); }
ModPropsResponse MapiHttpAddressBook::mod_props(const ModPropsRequest& r) { return endpoint_.call<ModPropsResponse>(r); }
QueryColumnsResponse MapiHttpAddressBook::query_columns(const QueryColumnsRequest& r) { return endpoint_.call<QueryColumnsResponse>(r); }
QueryRowsResponse MapiHttpAddressBook::query_rows(const QueryRowsRequest& r) { return endpoint_.call<QueryRowsResponse>(r); }
ResolveNamesResponse MapiHttpAddressBook::resolve_names(const ResolveNamesRequest& r) { return endpoint_.call<ResolveNamesResponse>(r); }
ResortRestrictionResponse MapiHttpAddressBook::resort_restriction(const ResortRestrictionRequest& r) {
  return endpoint_.call<ResortRestrictionResponse>(r);
}
SeekEntriesResponse MapiHttpAddressBook::seek_entries(const SeekEntriesRequest& r) { return endpoint_.call<SeekEntriesResponse>(r); }
UpdateStatResponse MapiHttpAddressBook::update_stat(const UpdateStatRequest& r) { return endpoint_.call<UpdateStatResponse>(r); }

std::string MapiHttpAddressBook::get_mailbox_url(const std::string& server_dn) {
  GetMailboxUrlRequest r;
  r.dn = server_dn;
  return endpoint_.call<GetMailboxUrlResponse>(r).server_url;
}

std::string MapiHttpAddressBook::get_address_book_url(const std::string& user_dn) {
  GetAddressBookUrlRequest r;
  r.dn = user_dn;
  return endpoint_.call<GetAddressBookUrlResponse>(r).server_url;
}

}  // namespace exmapi::mapihttp
