// connect_mapihttp(): the same three steps as connect_rpc (address book lookup, mailbox connect,
// RopLogon) over MAPI over HTTP; and connect(), which picks the transport.
#include <exmapi/mapi_errors.h>

#include <cctype>
#include <chrono>

#include "autodiscover/discover.hpp"
#include "base/error.hpp"
#include "mapi/connect.hpp"
#include "mapihttp/client.hpp"

namespace exmapi::mapi {

namespace {

constexpr uint32_t kEmailAddressW = 0x3003001F, kDisplayNameW = 0x3001001F;
constexpr uint32_t kMidUnresolved = 0, kMidAmbiguous = 1;  // MS-OXNSPI 2.2.1.9
constexpr uint32_t kRpcExtNoCompression = 0x00000001, kRpcExtNoXorMagic = 0x00000002;  // MS-OXCRPC 3.1.4.2.1
constexpr uint32_t kCodePageWindows1252 = 1252, kLocaleEnUs = 0x0409;

struct Resolved {
  std::string dn, display_name;
};

const std::string* cell_string(const mapihttp::ColumnsAndRows& table, size_t row, uint32_t tag) {
  for (size_t c = 0; c < table.columns.size() && c < table.rows[row].cells.size(); ++c) {
    if (table.columns[c] != tag) continue;
    const mapihttp::AbCell& cell = table.rows[row].cells[c];
    if (cell.flag != rop::ValueFlag::Present || !cell.value.value) return nullptr;
    if (cell.value.value->type() != rop::ptyp::String) return nullptr;
    return &cell.value.value->as_string();
  }
  return nullptr;
}

// ResolveNames (MS-OXCMAPIHTTP 2.2.5.14) on one name: its legacy DN and display name.
Resolved resolve(mapihttp::MapiHttpAddressBook& ab, const ndr::nspi::Stat& stat, const std::string& name) {
  mapihttp::ResolveNamesRequest req;
  req.state = stat;
  req.property_tags = std::vector<rop::PropTag>{kEmailAddressW, kDisplayNameW};
  req.names = std::vector<std::string>{name};
  auto r = ab.resolve_names(req);
  if (!r.minimal_ids || r.minimal_ids->size() != 1)
    throw Error(EXMAPI_E_PROTOCOL, "ResolveNames returned no MId for \"" + name + "\"");
  uint32_t mid = (*r.minimal_ids)[0];
  if (mid == kMidUnresolved) throw Error(EXMAPI_MAPI_NotFound, "the address book knows no \"" + name + "\"");
  if (mid == kMidAmbiguous)
    throw Error(EXMAPI_MAPI_AmbiguousRecipient, "\"" + name + "\" matches several address book entries; be more specific");
  if (!r.rows_and_columns || r.rows_and_columns->rows.size() != 1)
    throw Error(EXMAPI_E_PROTOCOL, "ResolveNames resolved \"" + name + "\" but returned no row");
  const std::string* dn = cell_string(*r.rows_and_columns, 0, kEmailAddressW);
  if (!dn || dn->empty()) throw Error(EXMAPI_E_PROTOCOL, "the address book entry of \"" + name + "\" has no PidTagEmailAddress");
  const std::string* display = cell_string(*r.rows_and_columns, 0, kDisplayNameW);
  return {*dn, display ? *display : name};
}

// "https://host/mapi/emsmdb/?MailboxId=x" → "https://host/mapi/nspi/?MailboxId=x": Autodiscover
// publishes both, but a user who types one URL means the server's other endpoint.
std::string address_book_url_for(const std::string& mailbox_url) {
  std::string url = mailbox_url;
  size_t at = url.find("/mapi/emsmdb");
  if (at == std::string::npos)
    throw Error(EXMAPI_E_INVALID_ARGUMENT, "cannot derive the address book URL from \"" + mailbox_url +
                                                "\" (no /mapi/emsmdb in it); give the address book URL too");
  url.replace(at, 12, "/mapi/nspi");
  return url;
}

http::Credentials credentials_of(const ConnectSpec& spec, const MapiHttpSpec& m) {
  http::Credentials c;
  c.scheme = spec.auth == Auth::Anonymous ? http::AuthScheme::kNone : m.auth;
  c.user = spec.domain.empty() ? spec.user : spec.domain + "\\" + spec.user;
  c.password = spec.password;
  c.bearer_token = m.bearer_token;
  c.bearer_token_command = m.bearer_token_command;
  return c;
}

class MapiHttpRopTransport final : public RopTransport {
 public:
  MapiHttpRopTransport(mapihttp::MapiHttpSession& session, uint32_t flags) : session_(session), flags_(flags) {}
  Bytes execute(ByteView rop_in, uint32_t max_out) override { return session_.execute(flags_, rop_in, max_out); }
  // NotificationWait carries no timeout of the client's (MS-OXCMAPIHTTP 2.2.4.4): each one ends when
  // the server has an event or its own wait period is over, so the wait may outlast `timeout` by up
  // to one server period (and is cut by the HTTP client's total timeout).
  bool wait_for_notifications(std::chrono::milliseconds timeout) override {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    do {
      if (session_.notification_wait()) return true;
    } while (std::chrono::steady_clock::now() < deadline);
    return false;
  }
  bool renew_after(const std::exception& error) override {
    const auto* refused = dynamic_cast<const mapihttp::ResponseCodeError*>(&error);
    if (!refused || !refused->session_context_lost()) return false;
    session_.reconnect();
    return true;
  }

 private:
  mapihttp::MapiHttpSession& session_;
  uint32_t flags_;
};

class MapiHttpConnection final : public Connection {
 public:
  explicit MapiHttpConnection(const ConnectSpec& spec) {
    const MapiHttpSpec& m = *spec.mapi_http;
    if (m.mailbox_url.empty()) throw Error(EXMAPI_E_INVALID_ARGUMENT, "MAPI over HTTP needs the mailbox URL");
    http::HttpOptions options;
    options.ca_file = m.ca_file;
    options.verify_tls = m.verify_tls;
    options.connect_timeout_ms = m.connect_timeout_ms;
    options.total_timeout_ms = m.request_timeout_ms;
    options.connect_to = m.connect_to;
    // One HttpClient for both endpoints: one kept-alive connection, one cookie jar (the context
    // cookies are scoped by path, /mapi/emsmdb/ and /mapi/nspi/).
    http_ = std::make_shared<http::HttpClient>(options, credentials_of(spec, m));
    auto identity = std::make_shared<mapihttp::ClientIdentity>(mapihttp::ClientIdentity::fresh());
    std::string user_name = spec.user.empty() ? spec.mailbox : spec.user;
    if (user_name.empty()) throw Error(EXMAPI_E_INVALID_ARGUMENT, "MAPI over HTTP needs the user (or mailbox) to open");
    Resolved user, mailbox;
    {
      mapihttp::MapiHttpAddressBook ab(http_, m.address_book_url.empty() ? address_book_url_for(m.mailbox_url) : m.address_book_url,
                                       identity);
      ndr::nspi::Stat stat;
      stat.code_page = kCodePageWindows1252;
      stat.template_locale = stat.sort_locale = kLocaleEnUs;
      mapihttp::BindRequest bind;
      bind.state = stat;
      ab.bind(bind);
      user = resolve(ab, stat, user_name);
      mailbox = spec.mailbox.empty() || spec.mailbox == user_name ? user : resolve(ab, stat, spec.mailbox);
      ab.unbind();
    }
    session_http_ = std::make_unique<mapihttp::MapiHttpSession>(http_, m.mailbox_url, identity);
    session_http_->connect(user.dn);
    const SessionOptions& so = spec.session_options;
    uint32_t flags = (so.compress ? 0 : kRpcExtNoCompression) | (so.obfuscate ? 0 : kRpcExtNoXorMagic);
    transport_ = std::make_unique<MapiHttpRopTransport>(*session_http_, flags);
    session_ = std::make_unique<Session>(*transport_, so);
    session_->logon_private_mailbox(mailbox.dn);
    mailbox_dn_ = mailbox.dn;
    mailbox_name_ = mailbox.display_name;
    mailbox_url_ = m.mailbox_url;
  }
  std::string emsmdb_endpoint() const override { return mailbox_url_; }
  ~MapiHttpConnection() override {
    session_.reset();
    if (session_http_) session_http_->disconnect(true);
  }
  Session& session() override { return *session_; }
  const std::string& mailbox_dn() const override { return mailbox_dn_; }
  const std::string& mailbox_display_name() const override { return mailbox_name_; }
  mapihttp::MapiHttpSession& mapi_http() { return *session_http_; }

 private:
  std::shared_ptr<http::HttpClient> http_;
  std::unique_ptr<mapihttp::MapiHttpSession> session_http_;
  std::unique_ptr<MapiHttpRopTransport> transport_;
  std::unique_ptr<Session> session_;
  std::string mailbox_dn_, mailbox_name_, mailbox_url_;
};

}  // namespace

std::unique_ptr<Connection> connect_mapihttp(const ConnectSpec& spec) {
  if (!spec.mapi_http) throw Error(EXMAPI_E_INVALID_ARGUMENT, "connect_mapihttp without MAPI over HTTP endpoints");
  return std::make_unique<MapiHttpConnection>(spec);
}

std::unique_ptr<Connection> connect(const ConnectSpec& spec) {
  if (spec.mapi_http) return connect_mapihttp(spec);
  if (spec.email.empty() || !spec.server.empty()) return connect_rpc(spec);
  // Autodiscover (MS-OXDSCLI): MAPI over HTTP when the answer offers it, else RPC over HTTP.
  MapiHttpSpec http = spec.mapi_http_defaults.value_or(MapiHttpSpec{});
  autodiscover::DiscoverOptions options;
  options.http.ca_file = http.ca_file;
  options.http.verify_tls = http.verify_tls;
  options.http.connect_timeout_ms = http.connect_timeout_ms;
  options.http.connect_to = http.connect_to;
  options.credentials = credentials_of(spec, http);
  autodiscover::DiscoveredEndpoints found = autodiscover::discover(spec.email, options);
  ConnectSpec chosen = spec;
  if (chosen.user.empty()) chosen.user = found.email;
  switch (found.transport) {
    case autodiscover::Transport::kMapiHttp:
      http.mailbox_url = found.mapi_mailbox_url;
      http.address_book_url = found.mapi_addressbook_url;
      chosen.mapi_http = http;
      return connect_mapihttp(chosen);
    case autodiscover::Transport::kRpcHttp: {
      RpcProxySpec proxy;
      proxy.proxy = found.rpc_proxy_server;
      proxy.tls = found.rpc_proxy_ssl;
      proxy.ca_file = http.ca_file;
      std::string package = found.rpc_auth_package;
      for (char& c : package) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      proxy.auth = package == "basic" ? ProxyAuth::Basic : package == "negotiate" ? ProxyAuth::Negotiate : ProxyAuth::Ntlm;
      chosen.rpc_proxy = proxy;
      chosen.server = found.rpc_server.empty() ? found.rpc_proxy_server : found.rpc_server;
      return connect_rpc(chosen);
    }
    case autodiscover::Transport::kNone: break;
  }
  throw Error(EXMAPI_E_PROTOCOL, "Autodiscover for " + spec.email + " (" + found.autodiscover_url +
                                     ") offered neither MAPI over HTTP nor RPC over HTTP");
}

}  // namespace exmapi::mapi
