// exmapi-server: the reference Exchange server (EMSMDB, AsyncEMSMDB, NSPI and RFR over
// ncacn_ip_tcp) on one SQLite store.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>

#include "server/emsmdb/endpoint.hpp"
#include "server/http/http_auth.hpp"
#include "server/http/http_server.hpp"
#include "server/autodiscover/autodiscover_service.hpp"
#include "server/mapihttp/mapi_http.hpp"
#include "server/rpch/rpc_proxy.hpp"
#include "server/nspi/nspi_service.hpp"
#include "server/rpc_host.hpp"
#include "server/store/database.hpp"
#include "server/store/directory.hpp"
#include "server/store/mailbox_seed.hpp"

namespace {

constexpr const char* kUsage = R"(usage: exmapi-server --store FILE [--seed] [--listen ADDRESS] [--port N] [--fqdn NAME]
                     [--require-auth] [--keytab FILE --realm REALM]
                     [--http-port N [--tls-cert FILE --tls-key FILE]]
                     [--mapi-session-timeout SECONDS] [--mapi-pending-period MS]

Serves EMSMDB, AsyncEMSMDB, NSPI and RFR over ncacn_ip_tcp from one SQLite store.

  --store FILE      the store; it must exist unless --seed is given
  --seed            create FILE (it must not exist) with the sample organisation, then serve it
  --listen ADDRESS  the IPv4 address to listen on (default 127.0.0.1)
  --port N          the TCP port; 0 picks a free one (default 0)
  --fqdn NAME       the name RFR hands to clients for this server (default: the listen address)
  --require-auth    refuse anonymous calls (access denied); NTLM, SPNEGO and, with a keytab,
                    Kerberos binds are accepted either way, checked against the store's accounts
  --keytab FILE     accept Kerberos: the keytab holding exchangeMDB/HOST (and exchangeAB/HOST) keys
  --realm REALM     the Kerberos realm whose user principals are the store's accounts
  --http-port N     also serve HTTP on this port (0: a free one): the RPC over HTTP proxy
                    /rpc/rpcproxy.dll (MS-RPCH), which leads to the RPC port above, and MAPI
                    over HTTP (MS-OXCMAPIHTTP) at /mapi/emsmdb/ and /mapi/nspi/ on the same
                    store, and Autodiscover (POST /autodiscover/autodiscover.xml, GET
                    /autodiscover/autodiscover.json?Email=..&Protocol=MapiHttp|Expr) naming
                    them; HTTP authentication (Basic, NTLM, Negotiate) against the store's
                    accounts
  --tls-cert FILE   serve HTTPS with this PEM certificate (chain) ...
  --tls-key FILE    ... and this PEM private key
  --async-wait-timeout MS
                    how long EcDoAsyncWaitEx waits for a notification, in milliseconds
                    (1-300000, default 300000: the protocol's 5 minutes)
  --mapi-session-timeout SECONDS
                    destroy a MAPI over HTTP Session Context unused for this long
                    (1-86400, default 900); later requests get X-ResponseCode 10
  --mapi-pending-period MS
                    the PENDING keep-alive period of a waiting MAPI over HTTP request
                    (100-300000, default 30000), announced as X-PendingPeriod
  --help            this text

Once listening it prints "listening on ADDRESS:PORT" on stdout, then, with --http-port,
"http listening on ADDRESS:PORT" (or "https ..."). SIGTERM or SIGINT stops it.
)";

[[noreturn]] void usage_error(const std::string& why) {
  std::cerr << "exmapi-server: " << why << "\n" << kUsage;
  std::exit(2);
}

struct Options {
  std::string store;
  bool seed = false;
  std::string listen = "127.0.0.1";
  uint16_t port = 0;
  std::string fqdn;
  bool require_auth = false;
  std::string keytab, realm;
  std::optional<uint16_t> http_port;
  std::string tls_cert, tls_key;
  std::chrono::milliseconds async_wait{exmapi::server::EmsmdbEndpoint::kMaxAsyncWait};
  exmapi::server::mapihttp_server::Options mapi_http;
};

unsigned long bounded_number(const std::string& option, const std::string& v, unsigned long low, unsigned long high,
                             const char* unit) {
  char* end = nullptr;
  unsigned long n = std::strtoul(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || n < low || n > high)
    usage_error(option + " " + v + " is not a number of " + unit + " (" + std::to_string(low) + "-" +
                std::to_string(high) + ")");
  return n;
}

uint16_t port_number(const std::string& option, const std::string& v) {
  char* end = nullptr;
  unsigned long n = std::strtoul(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || n > 65535) usage_error(option + " " + v + " is not a port number (0-65535)");
  return static_cast<uint16_t>(n);
}


Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      std::exit(0);
    } else if (a == "--store") {
      o.store = value();
    } else if (a == "--seed") {
      o.seed = true;
    } else if (a == "--listen") {
      o.listen = value();
    } else if (a == "--require-auth") {
      o.require_auth = true;
    } else if (a == "--keytab") {
      o.keytab = value();
    } else if (a == "--realm") {
      o.realm = value();
    } else if (a == "--fqdn") {
      o.fqdn = value();
    } else if (a == "--port") {
      o.port = port_number(a, value());
    } else if (a == "--http-port") {
      o.http_port = port_number(a, value());
    } else if (a == "--tls-cert") {
      o.tls_cert = value();
    } else if (a == "--tls-key") {
      o.tls_key = value();
    } else if (a == "--mapi-session-timeout") {
      o.mapi_http.session_timeout = std::chrono::seconds(bounded_number(a, value(), 1, 86400, "seconds"));
    } else if (a == "--mapi-pending-period") {
      o.mapi_http.pending_period = std::chrono::milliseconds(bounded_number(a, value(), 100, 300000, "milliseconds"));
    } else if (a == "--async-wait-timeout") {
      std::string v = value();
      char* end = nullptr;
      unsigned long n = std::strtoul(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || n < 1 || n > static_cast<unsigned long>(exmapi::server::EmsmdbEndpoint::kMaxAsyncWait.count()))
        usage_error("--async-wait-timeout " + v + " is not a number of milliseconds (1-300000)");
      o.async_wait = std::chrono::milliseconds(n);
    } else {
      usage_error("unknown argument " + a);
    }
  }
  if (o.store.empty()) usage_error("--store FILE is required");
  if (o.fqdn.empty()) o.fqdn = o.listen;
  if (o.keytab.empty() != o.realm.empty()) usage_error("--keytab and --realm go together");
  if (o.tls_cert.empty() != o.tls_key.empty()) usage_error("--tls-cert and --tls-key go together");
  if (!o.tls_cert.empty() && !o.http_port) usage_error("--tls-cert needs --http-port");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace exmapi::server;
  Options opt = parse(argc, argv);
  // A client that hangs up mid-reply must cost its connection, not the server.
  std::signal(SIGPIPE, SIG_IGN);
  try {
    using store::Database;
    std::optional<Database> db;
    if (opt.seed) {
      db.emplace(opt.store, Database::Mode::kCreate);
      store::Directory::seed(*db);
      seed_mailboxes(opt.store);
    } else {
      db.emplace(opt.store, Database::Mode::kOpenExisting);
    }
    store::Directory directory(*db);

    // The services outlive the host: closing its connections at exit reports to them.
    nspi::NspiService nspi_service(directory);
    nspi::RfrService rfr_service(directory, opt.fqdn);
    RpcHost host;
    host.accept_authentication(
        [&](std::string_view name) -> std::optional<StoredAccount> {
          const store::AbObject* o = directory.find_account(name);
          std::optional<std::string> password = directory.password_of(name);
          if (o == nullptr || !password) return std::nullopt;
          return StoredAccount{o->account, *password, o->mid};
        },
        opt.keytab.empty() ? std::string() : "FILE:" + opt.keytab, opt.realm);
    host.require_authentication(opt.require_auth);
    host.add_interface("NSPI", nspi::kNspiUuid, 56, 0,
                       [&](uint16_t op, exmapi::ByteView in, const CallerIdentity& who) {
                         return nspi_service.handle(op, in, who);
                       });
    host.add_interface("RFR", nspi::kRfrUuid, 1, 0,
                       [&](uint16_t op, exmapi::ByteView in, const CallerIdentity& who) {
                         return rfr_service.handle(op, in, who);
                       });
    EmsmdbEndpoint emsmdb(opt.store);
    emsmdb.set_async_wait_timeout(opt.async_wait);
    host.add_interface("EMSMDB", "A4F1DB00-CA47-1067-B31F-00DD010662DA", 0, 81,
                       [&](uint16_t op, exmapi::ByteView in, const CallerIdentity& who) {
                         return emsmdb.call(op, in, who.account);
                       });
    host.add_deferred_interface("AsyncEMSMDB", "5261574A-4572-206E-B268-6B199213B4E4", 0, 1,
                                [&](uint16_t op, exmapi::ByteView in, const CallerIdentity& who,
                                    std::shared_ptr<DeferredReply> reply) {
                                  emsmdb.call_async(op, in, who.account, std::move(reply));
                                });
    host.on_disconnect([&](uint64_t connection) {
      nspi_service.connection_closed(connection);
    });

    uint16_t port = host.listen(opt.listen, opt.port);
    std::cout << "listening on " << opt.listen << ":" << port << std::endl;

    // Declared after the host, so they stop first; the proxy before the HTTP front, so that its
    // channels end and their connection threads can be joined.
    std::optional<http::HostAuthenticator> http_auth;
    std::optional<http::HttpServer> http_server;
    std::optional<rpch::RpcProxy> rpc_proxy;
    std::optional<mapihttp_server::MapiHttpService> mapi_http;
    std::optional<autodiscover_server::AutodiscoverService> autodiscover;
    if (opt.http_port) {
      http_auth.emplace(host);
      http::ServerOptions ho;
      ho.address = opt.listen;
      ho.port = *opt.http_port;
      ho.cert_file = opt.tls_cert;
      ho.key_file = opt.tls_key;
      ho.authenticator = &*http_auth;
      http_server.emplace(ho);
      rpch::ProxyOptions po;
      po.backend_address = opt.listen;
      po.backend_port = port;
      rpc_proxy.emplace(po);
      rpc_proxy->attach(*http_server);
      mapi_http.emplace(emsmdb, nspi_service, [&host](const std::function<void()>& fn) { host.run_on_loop(fn); },
                        opt.mapi_http);
      mapi_http->attach(*http_server);
      autodiscover.emplace(directory);
      autodiscover->attach(*http_server);
      uint16_t http_port = http_server->start();
      mapi_http->set_public_base(std::string(http_server->tls() ? "https" : "http") + "://" + opt.fqdn + ":" +
                                 std::to_string(http_port));
      autodiscover->set_public_base(std::string(http_server->tls() ? "https" : "http") + "://" + opt.fqdn + ":" +
                                        std::to_string(http_port),
                                    opt.fqdn);
      std::cout << (http_server->tls() ? "https" : "http") << " listening on " << opt.listen << ":" << http_port
                << std::endl;
    }
    host.run();
    rpc_proxy.reset();
    http_server.reset();
    mapi_http.reset();
    autodiscover.reset();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "exmapi-server: " << e.what() << "\n";
    return 1;
  }
}
