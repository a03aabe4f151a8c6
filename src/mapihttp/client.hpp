// MAPI over HTTP, client role (MS-OXCMAPIHTTP 3.1): the mailbox endpoint (/mapi/emsmdb/) and the
// address book endpoint (/mapi/nspi/) as typed calls over src/http's HttpClient. Bodies and the
// PROCESSING/PENDING/DONE stream are the codec's (bodies.hpp, framing.hpp); this layer adds the
// request headers, the identifiers, and the mapping of failures to exmapi errors.
//
// The Session Context lives in the cookies the server sets on Connect or Bind; the HttpClient's jar
// keeps them and sends them back, so one HttpClient holds one context per endpoint.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "http/http_client.hpp"
#include "mapihttp/bodies.hpp"
#include "mapihttp/framing.hpp"

namespace exmapi::mapihttp {

// A request the server refused with X-ResponseCode ≠ 0 (2.2.3.3.3). The message names the code's
// meaning and the server's detail; the status is EXMAPI_E_AUTH for codes about the caller's
// identity, EXMAPI_E_PROTOCOL otherwise.
class ResponseCodeError : public Error {
 public:
  ResponseCodeError(RequestType type, uint32_t code, const std::string& detail);
  uint32_t code() const noexcept { return code_; }
  // The server no longer has (or never had) the Session Context the request named: a new Connect or
  // Bind is the way on (3.1.5.1: "the client MUST ... establish a new Session Context").
  bool session_context_lost() const noexcept;

 private:
  uint32_t code_;
};

// What a client sends about itself. X-ClientInfo's GUID is fixed for the client instance and its
// counter advances with every new Session Context (2.2.3.3.4).
struct ClientIdentity {
  Guid client_guid;
  uint64_t next_context = 1;
  // "name/version" (2.2.3.3.8). The version is the MAPI client level servers gate features on, as
  // rgwClientVersion is over RPC: the spec's example level, at which MAPI over HTTP is offered.
  std::string application = "exmapi/15.00.0847.4040";
  static ClientIdentity fresh();
};

// A random (version 4) GUID.
Guid random_guid();

// One endpoint: sends request types to `url` and returns response bodies. Not thread-safe.
class EndpointClient {
 public:
  EndpointClient(std::shared_ptr<http::HttpClient> http, std::string url, std::shared_ptr<ClientIdentity> identity);

  // Starts the identifiers of a new Session Context: a fresh X-RequestId GUID, counter 1, and the
  // next X-ClientInfo counter. Called before Connect/Bind.
  void begin_context();

  // One request and its response body. Throws ResponseCodeError for X-ResponseCode ≠ 0 (in the
  // HTTP headers or late, after DONE), EXMAPI_E_AUTH for 401, EXMAPI_E_PROTOCOL for a malformed
  // stream or an unexpected HTTP status, EXMAPI_E_TRANSPORT when the server cannot be reached.
  Bytes round_trip(RequestType type, ByteView body);

  // Typed: encodes `request`, decodes the response body, and throws when the response's
  // StatusCode is not 0 or its ErrorCode is a MAPI failure.
  template <class Response, class Request>
  Response call(const Request& request) {
    static_assert(Request::kType == Response::kType);
    Bytes out = round_trip(Request::kType, encode_body(request));
    Response r = decode_body<Response>(out);
    check_status(Request::kType, r.status_code, r.error_code);
    return r;
  }

  // PING (2.2.6): no body either way; proves the endpoint answers.
  void ping();

  const std::string& url() const noexcept { return url_; }
  http::HttpClient& http() noexcept { return *http_; }
  // The X-RequestId the next request will carry (for tests of the sequence).
  std::string last_request_id() const { return last_request_id_; }
  std::string client_info() const { return client_info_; }
  // X-ExpirationInfo of the last response: milliseconds the server keeps an idle context (0 unknown).
  uint64_t expiration_ms() const noexcept { return expiration_ms_; }

 private:
  http::HttpRequest make_request(RequestType type, ByteView body);
  static void check_status(RequestType type, uint32_t status_code, uint32_t error_code);
  void check_response_code(RequestType type, const http::HttpResponse& response, std::string_view body_text);

  std::shared_ptr<http::HttpClient> http_;
  std::string url_;
  std::shared_ptr<ClientIdentity> identity_;
  RequestIdSequence request_ids_{Guid{}};
  std::string client_info_;
  std::string last_request_id_;
  uint64_t expiration_ms_ = 0;
};

// The mailbox endpoint (2.2.4): one Session Context from connect() to disconnect().
class MapiHttpSession {
 public:
  struct Connected {
    uint32_t polls_max_ms = 0, retry_count = 0, retry_delay_ms = 0;
    std::string dn_prefix, display_name;
  };

  MapiHttpSession(std::shared_ptr<http::HttpClient> http, std::string mailbox_url,
                  std::shared_ptr<ClientIdentity> identity);
  ~MapiHttpSession();
  MapiHttpSession(const MapiHttpSession&) = delete;
  MapiHttpSession& operator=(const MapiHttpSession&) = delete;

  // Connect (2.2.4.1) as `user_dn`; a session already open is left to expire on the server.
  const Connected& connect(const std::string& user_dn);
  // A new Connect with the same user DN: what a client does when the server lost the context.
  const Connected& reconnect();
  // Execute (2.2.4.2): rgbIn → rgbOut, with pulFlags as EcDoRpcExt2 takes them.
  Bytes execute(uint32_t flags, ByteView rop_buffer, uint32_t max_rop_out);
  // NotificationWait (2.2.4.4): blocks until the server has an event or its wait ends; true when an
  // event is pending (then an Execute fetches it with RopNotify).
  bool notification_wait();
  // Disconnect (2.2.4.3); errors are swallowed when `quiet` (the server may already be gone).
  void disconnect(bool quiet = false);
  void ping() { endpoint_.ping(); }

  bool connected() const noexcept { return connected_; }
  const Connected& connection() const noexcept { return info_; }
  uint64_t reconnects() const noexcept { return reconnects_; }
  EndpointClient& endpoint() noexcept { return endpoint_; }

 private:
  EndpointClient endpoint_;
  std::string user_dn_;
  Connected info_;
  bool connected_ = false;
  uint64_t reconnects_ = 0;
};

// The address book endpoint (2.2.5): every request type as a typed call. A Bind opens the Session
// Context; every other call but GetMailboxUrl/GetAddressBookUrl needs it.
class MapiHttpAddressBook {
 public:
  MapiHttpAddressBook(std::shared_ptr<http::HttpClient> http, std::string address_book_url,
                      std::shared_ptr<ClientIdentity> identity);
  ~MapiHttpAddressBook();
  MapiHttpAddressBook(const MapiHttpAddressBook&) = delete;
  MapiHttpAddressBook& operator=(const MapiHttpAddressBook&) = delete;

  BindResponse bind(const BindRequest& request);
  void unbind(bool quiet = false);
  CompareMIdsResponse compare_mids(const CompareMIdsRequest& request);
  DNToMIdResponse dn_to_mid(const DNToMIdRequest& request);
  GetMatchesResponse get_matches(const GetMatchesRequest& request);
  GetPropListResponse get_prop_list(const GetPropListRequest& request);
  GetPropsResponse get_props(const GetPropsRequest& request);
  GetSpecialTableResponse get_special_table(const GetSpecialTableRequest& request);
  GetTemplateInfoResponse get_template_info(const GetTemplateInfoRequest& request);
  ModLinkAttResponse mod_link_att(const ModLinkAttRequest& request);
  ModPropsResponse mod_props(const ModPropsRequest& request);
  QueryColumnsResponse query_columns(const QueryColumnsRequest& request);
  QueryRowsResponse query_rows(const QueryRowsRequest& request);
  ResolveNamesResponse resolve_names(const ResolveNamesRequest& request);
  ResortRestrictionResponse resort_restriction(const ResortRestrictionRequest& request);
  SeekEntriesResponse seek_entries(const SeekEntriesRequest& request);
  UpdateStatResponse update_stat(const UpdateStatRequest& request);
  // The URLs of a mailbox server by its DN, and of the address book server for a user DN.
  std::string get_mailbox_url(const std::string& server_dn);
  std::string get_address_book_url(const std::string& user_dn);
  void ping() { endpoint_.ping(); }

  bool bound() const noexcept { return bound_; }
  EndpointClient& endpoint() noexcept { return endpoint_; }

 private:
  EndpointClient endpoint_;
  bool bound_ = false;
};

}  // namespace exmapi::mapihttp
