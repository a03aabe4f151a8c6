// connect_rpc(): the address book turns names into DNs (NSPI), EMSMDB opens the session, RopLogon the
// mailbox. Everything rides on src/rpc's Samba pipes.
#include "mapi/connect.hpp"

#include <exmapi/mapi_errors.h>

#include <array>
#include <chrono>
#include <optional>
#include <variant>

#include "base/error.hpp"
#include "rpc/emsmdb_client.hpp"
#include "rpc/nspi_client.hpp"

namespace exmapi::mapi {

namespace {

constexpr uint32_t kEmailAddressW = 0x3003001F, kDisplayNameW = 0x3001001F;
// MS-OXNSPI 2.2.1.9: what ResolveNames puts in place of a MId it could not pin down.
constexpr uint32_t kMidUnresolved = 0, kMidAmbiguous = 1;
// MS-OXCRPC 3.1.4.2.1: pulFlags of EcDoRpcExt2 requests.
constexpr uint32_t kRpcExtNoCompression = 0x00000001, kRpcExtNoXorMagic = 0x00000002;
// A client at least as new as the versions MS-OXCRPC 3.1.4.1.3 gates features on (12.0.6206.1000 form).
constexpr std::array<uint16_t, 3> kClientVersion{0x000C, 0x183E, 0x03E8};
constexpr uint32_t kCodePageWindows1252 = 1252, kLocaleEnUs = 0x0409;

rpc::ConnectOptions rpc_options(const ConnectSpec& spec) {
  rpc::ConnectOptions o;
  o.host = spec.server;
  if (spec.port) o.port = spec.port;
  switch (spec.auth) {
    case Auth::Ntlm: o.credentials.method = rpc::AuthMethod::ntlm; break;
    case Auth::Negotiate: o.credentials.method = rpc::AuthMethod::negotiate; break;
    case Auth::Kerberos: o.credentials.method = rpc::AuthMethod::kerberos; break;
    case Auth::Anonymous: o.credentials.method = rpc::AuthMethod::anonymous; break;
  }
  o.credentials.user = spec.user;
  o.credentials.password = spec.password;
  o.credentials.domain = spec.domain;
  o.credentials.realm = spec.realm;
  o.target_hostname = spec.target_hostname;
  if (spec.rpc_proxy) {
    o.transport = rpc::Transport::http;
    o.http.proxy = spec.rpc_proxy->proxy;
    o.http.use_tls = spec.rpc_proxy->tls;
    o.http.ca_file = spec.rpc_proxy->ca_file;
    o.http.auth = spec.rpc_proxy->auth == ProxyAuth::Basic       ? rpc::HttpAuth::basic
                  : spec.rpc_proxy->auth == ProxyAuth::Negotiate ? rpc::HttpAuth::negotiate
                                                                 : rpc::HttpAuth::ntlm;
  }
  o.level = spec.protection == Protection::Seal ? rpc::AuthLevel::seal
            : spec.protection == Protection::Sign ? rpc::AuthLevel::sign
                                                  : rpc::AuthLevel::connect;
  return o;
}

struct Resolved {
  std::string dn, display_name;
};

const std::string* string_prop(const ndr::nspi::PropertyRow& row, uint32_t tag) {
  for (const auto& v : row.props)
    if (v.prop_tag == tag)
      if (const auto* s = std::get_if<std::string>(&v.value)) return s;
  return nullptr;
}

// NspiResolveNamesW on one name: its legacy DN and display name, or the MAPI error a client shows.
Resolved resolve(rpc::NspiClient& nspi, const ndr::nspi::Stat& stat, const std::string& name) {
  auto r = nspi.resolve_names_w(stat, ndr::nspi::PropertyTagArray{{kEmailAddressW, kDisplayNameW}}, {name});
  if (!r.mids || r.mids->values.size() != 1)
    throw Error(EXMAPI_E_PROTOCOL, "NspiResolveNamesW returned no MId for \"" + name + "\"");
  uint32_t mid = r.mids->values[0];
  if (mid == kMidUnresolved) throw Error(EXMAPI_MAPI_NotFound, "the address book knows no \"" + name + "\"");
  if (mid == kMidAmbiguous)
    throw Error(EXMAPI_MAPI_AmbiguousRecipient, "\"" + name + "\" matches several address book entries; be more specific");
  if (!r.rows || r.rows->rows.size() != 1)
    throw Error(EXMAPI_E_PROTOCOL, "NspiResolveNamesW resolved \"" + name + "\" but returned no row");
  const auto& row = r.rows->rows[0];
  const std::string* dn = string_prop(row, kEmailAddressW);
  if (!dn || dn->empty()) throw Error(EXMAPI_E_PROTOCOL, "the address book entry of \"" + name + "\" has no PidTagEmailAddress");
  const std::string* display = string_prop(row, kDisplayNameW);
  return {*dn, display ? *display : name};
}

class RpcRopTransport final : public RopTransport {
 public:
  RpcRopTransport(rpc::EmsmdbClient& emsmdb, uint32_t flags, rpc::ConnectOptions options)
      : emsmdb_(emsmdb), flags_(flags), options_(std::move(options)) {}
  Bytes execute(ByteView rop_in, uint32_t max_out) override {
    auto r = emsmdb_.rpc_ext2(flags_, Bytes(rop_in.begin(), rop_in.end()), max_out);
    return std::move(r.out);
  }

  // EcDoAsyncWaitEx on its own AsyncEMSMDB pipe (MS-OXCRPC 3.3.4.1), with the asynchronous context
  // handle of EcDoAsyncConnectEx. The server holds the call up to its own limit (at most 5
  // minutes); the pipe's call timeout is ours, and a pipe whose call timed out is not reused.
  bool wait_for_notifications(std::chrono::milliseconds timeout) override {
    using clock = std::chrono::steady_clock;
    auto deadline = clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
      if (left.count() <= 0) return false;
      uint32_t seconds = static_cast<uint32_t>((left.count() + 999) / 1000);
      if (!async_ || async_timeout_ != seconds) {
        async_.reset();
        rpc::ConnectOptions o = options_;
        o.call_timeout_seconds = seconds;
        async_.emplace(rpc::kAsyncEmsmdb, o);
        async_timeout_ = seconds;
        if (acxh_.is_null()) acxh_ = emsmdb_.async_connect_ex();
      }
      ndr::emsmdb::EcDoAsyncWaitEx::Response r;
      try {
        r = rpc::call<ndr::emsmdb::EcDoAsyncWaitEx>(*async_, {acxh_, 0});
      } catch (const Error& e) {
        if (e.status() != EXMAPI_E_TIMEOUT) throw;
        async_.reset();
        return false;
      }
      rpc::check_result("EcDoAsyncWaitEx", r.result);
      if (r.flags_out & kNotificationPending) return true;
      // The server's wait ended with nothing: wait again for what is left of ours.
    }
  }

 private:
  static constexpr uint32_t kNotificationPending = 0x00000001;
  rpc::EmsmdbClient& emsmdb_;
  uint32_t flags_;
  rpc::ConnectOptions options_;
  std::optional<rpc::Connection> async_;
  uint32_t async_timeout_ = 0;
  ndr::ContextHandle acxh_;
};

class RpcConnection final : public Connection {
 public:
  explicit RpcConnection(const ConnectSpec& spec) : emsmdb_(rpc_options(spec)) {
    rpc::ConnectOptions options = rpc_options(spec);
    Resolved user, mailbox;
    {
      rpc::NspiClient nspi(options);
      ndr::nspi::Stat stat;
      stat.code_page = kCodePageWindows1252;
      stat.template_locale = stat.sort_locale = kLocaleEnUs;
      nspi.bind(0, stat);
      std::string user_name = spec.user.empty() ? spec.mailbox : spec.user;
      if (user_name.empty()) throw Error(EXMAPI_E_INVALID_ARGUMENT, "an anonymous session needs the mailbox to open");
      user = resolve(nspi, stat, user_name);
      mailbox = spec.mailbox.empty() || spec.mailbox == user_name ? user : resolve(nspi, stat, spec.mailbox);
      nspi.unbind();
    }
    ndr::emsmdb::EcDoConnectEx::Request c;
    c.user_dn = user.dn;
    c.cpid = kCodePageWindows1252;
    c.lcid_string = c.lcid_sort = kLocaleEnUs;
    c.icxr_link = 0xFFFFFFFF;  // no earlier session to link to
    c.can_convert_code_pages = 1;
    c.client_version = kClientVersion;
    c.aux_out_size = 0x1008;
    emsmdb_.connect_ex(c);
    const SessionOptions& so = spec.session_options;
    uint32_t flags = (so.compress ? 0 : kRpcExtNoCompression) | (so.obfuscate ? 0 : kRpcExtNoXorMagic);
    transport_ = std::make_unique<RpcRopTransport>(emsmdb_, flags, options);
    session_ = std::make_unique<Session>(*transport_, so);
    session_->logon_private_mailbox(mailbox.dn);
    mailbox_dn_ = mailbox.dn;
    mailbox_name_ = mailbox.display_name;
  }
  ~RpcConnection() override {
    session_.reset();
    try {
      if (emsmdb_.connected()) emsmdb_.disconnect();
    } catch (const std::exception&) {
      // The server may already be gone; the pipe closes with the client either way.
    }
  }
  Session& session() override { return *session_; }
  const std::string& mailbox_dn() const override { return mailbox_dn_; }
  const std::string& mailbox_display_name() const override { return mailbox_name_; }
  std::string emsmdb_endpoint() const override { return emsmdb_.connection().binding(); }

 private:
  rpc::EmsmdbClient emsmdb_;
  std::unique_ptr<RpcRopTransport> transport_;
  std::unique_ptr<Session> session_;
  std::string mailbox_dn_, mailbox_name_;
};

}  // namespace

std::unique_ptr<Connection> connect_rpc(const ConnectSpec& spec) { return std::make_unique<RpcConnection>(spec); }

}  // namespace exmapi::mapi
