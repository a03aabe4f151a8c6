#include "rpc/connection.hpp"
#include "rpc/samba_threads.hpp"

#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <filesystem>
#include <set>

#include "rpc/samba_headers.hpp"

namespace exmapi::rpc {

namespace {

// ---- binding strings ------------------------------------------------------------------------------
// Values go into a Samba binding string ("ncacn_ip_tcp:HOST[PORT,opt,opt=value]") and loadparm
// options: a ',', '[', ']' or '=' in a user's value would add options of its own, so values are
// restricted to what host names, realms and paths need.
void check_token(std::string_view what, std::string_view v, std::string_view extra = {}) {
  for (char c : v) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
              c == '_' || extra.find(c) != std::string_view::npos;
    if (!ok)
      throw Error(EXMAPI_E_INVALID_ARGUMENT,
                  std::string(what) + " \"" + std::string(v) + "\" contains the character '" + std::string(1, c) +
                      "', which a host name or option cannot hold");
  }
}

const char* level_option(AuthLevel l) {
  switch (l) {
    case AuthLevel::connect: return "connect";
    case AuthLevel::sign: return "sign";
    case AuthLevel::seal: return "seal";
  }
  return "seal";
}
const char* method_option(AuthMethod m) {
  switch (m) {
    case AuthMethod::ntlm: return "ntlm";
    case AuthMethod::kerberos: return "krb5";
    case AuthMethod::negotiate: return "spnego";
    case AuthMethod::anonymous: break;
  }
  return nullptr;
}
const char* http_auth_option(HttpAuth a) {
  switch (a) {
    case HttpAuth::basic: return "basic";
    case HttpAuth::ntlm: return "ntlm";
    case HttpAuth::negotiate: return "negotiate";
  }
  return "ntlm";
}

// Samba's s4 resolver treats "localhost" specially and then fails on it (NT_STATUS_NO_MEMORY,
// SAMBA_NOTES.md): the loopback address means the same and works.
std::string resolvable_host(const std::string& host) { return host == "localhost" ? "127.0.0.1" : host; }

uint16_t proxy_port(const ConnectOptions& o) {
  const std::string& proxy = o.http.proxy;
  size_t colon = proxy.rfind(':');
  if (colon != std::string::npos) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(proxy.data() + colon + 1, proxy.data() + proxy.size(), v);
    if (ec == std::errc() && p == proxy.data() + proxy.size() && v > 0 && v <= 0xFFFF) return static_cast<uint16_t>(v);
    throw Error(EXMAPI_E_INVALID_ARGUMENT, "RPC proxy \"" + proxy + "\": the port after ':' is not a number 1..65535");
  }
  return o.http.use_tls ? 443 : 80;
}

std::string make_binding(const RpcInterface& iface, const ConnectOptions& o) {
  if (o.host.empty()) throw Error(EXMAPI_E_INVALID_ARGUMENT, "no server host given");
  check_token("server host", o.host, ":");
  check_token("target host name", o.target_hostname);
  std::string b = o.transport == Transport::http ? "ncacn_http:" : "ncacn_ip_tcp:";
  b += resolvable_host(o.host);
  std::vector<std::string> opts;
  if (o.transport == Transport::http) {
    // Samba's ncacn_http needs the numeric RPC server port behind the proxy.
    uint16_t port = o.port.value_or(iface.http_port);
    if (port == 0)
      throw Error(EXMAPI_E_INVALID_ARGUMENT, std::string(iface.name) +
                                                 " over RPC over HTTP needs the RPC server port (no well-known one)");
    opts.push_back(std::to_string(port));
    if (!o.http.proxy.empty()) {
      check_token("RPC proxy", o.http.proxy, ":");
      proxy_port(o);  // validates the port part
      opts.push_back("RpcProxy=" + o.http.proxy);
    }
    opts.push_back(std::string("HttpUseTls=") + (o.http.use_tls ? "true" : "false"));
    opts.push_back(std::string("HttpAuthOption=") + http_auth_option(o.http.auth));
  } else if (o.port) {
    if (*o.port == 0) throw Error(EXMAPI_E_INVALID_ARGUMENT, "port 0 is not a server port");
    opts.push_back(std::to_string(*o.port));
  }
  // Anonymous credentials make Samba drop sign/seal silently; say nothing rather than ask for it.
  if (const char* m = method_option(o.credentials.method)) {
    opts.push_back(m);
    opts.push_back(level_option(o.level));
  }
  if (!o.target_hostname.empty()) opts.push_back("target_hostname=" + o.target_hostname);
  if (!opts.empty()) {
    b += '[';
    for (size_t i = 0; i < opts.size(); ++i) b += (i ? "," : "") + opts[i];
    b += ']';
  }
  return b;
}

// ---- TCP_NODELAY --------------------------------------------------------------------------------
// Samba's client never sets TCP_NODELAY and gives no access to its socket. Without it every request
// longer than one fragment (5840 bytes) waits ~40 ms: the last partial segment sits in Nagle's buffer
// until the server's delayed ACK of the previous one (SAMBA_NOTES.md measured 44 ms per 64 KiB call,
// 0.3 ms with NODELAY). So we find the sockets the connect created ourselves: the TCP sockets that did
// not exist before dcerpc_pipe_connect and are connected to the server's (or RPC proxy's) port. Inode
// numbers, not fd numbers, tell old from new, since a closed fd number can be reused (the endpoint
// mapper's socket is closed by the time the pipe's is opened).
std::set<ino_t> socket_inodes() {
  std::set<ino_t> out;
  DIR* d = opendir("/proc/self/fd");
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    int fd = std::atoi(e->d_name);
    if (e->d_name[0] < '0' || e->d_name[0] > '9' || fd == dirfd(d)) continue;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode)) out.insert(st.st_ino);
  }
  closedir(d);
  return out;
}

uint16_t peer_port(int fd) {
  sockaddr_storage peer{};
  socklen_t len = sizeof peer;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0) return 0;
  if (peer.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&peer)->sin_port);
  if (peer.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&peer)->sin6_port);
  return 0;
}

// Sets TCP_NODELAY on the new TCP sockets whose peer port is `port` (any port when 0); returns them.
std::vector<int> set_nodelay_on_new_sockets(const std::set<ino_t>& before, uint16_t port) {
  std::vector<int> fds;
  DIR* d = opendir("/proc/self/fd");
  if (!d) return fds;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    int fd = std::atoi(e->d_name);
    if (fd == dirfd(d)) continue;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode) || before.count(st.st_ino)) continue;
    int type = 0;
    socklen_t len = sizeof type;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM) continue;
    uint16_t p = peer_port(fd);
    if (p == 0 || (port != 0 && p != port)) continue;
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0) fds.push_back(fd);
  }
  closedir(d);
  std::sort(fds.begin(), fds.end());
  return fds;
}

// ---- errors -------------------------------------------------------------------------------------
bool is(NTSTATUS a, NTSTATUS b) { return NT_STATUS_EQUAL(a, b); }

std::string hex32(uint32_t v) {
  char buf[16];
  snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

std::string status_text(NTSTATUS st) { return std::string(nt_errstr(st)); }

void init_samba_once() {
  // dcerpc_init registers the gensec backends (NTLMSSP, SPNEGO, Kerberos); without it an
  // authenticated bind fails with "Could not find GENSEC backend". It is not thread-safe itself.
  register_samba_threads();
  static std::once_flag once;
  std::call_once(once, [] {
    NTSTATUS st = dcerpc_init();
    if (!NT_STATUS_IS_OK(st))
      throw Error(EXMAPI_E_INTERNAL, "Samba's dcerpc_init failed: " + status_text(st));
  });
}

}  // namespace

struct Connection::State {
  TALLOC_CTX* mem = nullptr;
  tevent_context* ev = nullptr;
  loadparm_context* lp = nullptr;
  cli_credentials* creds = nullptr;
  dcerpc_pipe* pipe = nullptr;

  // The interface table Samba binds with. raw_call never looks at .calls, so it stays empty.
  std::string name, uuid, service_class;
  RpcInterface iface;
  ndr_interface_table table{};
  const char* endpoint_names[1] = {"ncacn_ip_tcp:"};
  ndr_interface_string_array endpoints{1, endpoint_names};
  const char* authservice_names[1] = {nullptr};
  ndr_interface_string_array authservices{1, authservice_names};

  ConnectOptions options;
  std::string where;  // "NSPI at 127.0.0.1 port 6004" for messages
  bool called = false;
  std::vector<int> fds;

  ~State() {
    if (mem) talloc_free(mem);  // the pipe, its sockets, the event context: all hang below mem
  }

  [[noreturn]] void fail_connect(NTSTATUS st) const;
  [[noreturn]] void fail_call(NTSTATUS st, uint16_t opnum, std::string_view method, uint32_t fault) const;
  std::string auth_description() const;
};

std::string Connection::State::auth_description() const {
  const Credentials& c = options.credentials;
  switch (c.method) {
    case AuthMethod::anonymous: return "anonymous";
    case AuthMethod::ntlm: return "NTLM as " + (c.domain.empty() ? "" : c.domain + "\\") + c.user;
    case AuthMethod::kerberos: return "Kerberos as " + c.user + (c.realm.empty() ? "" : "@" + c.realm);
    case AuthMethod::negotiate: return "Negotiate as " + c.user;
  }
  return "";
}

void Connection::State::fail_connect(NTSTATUS st) const {
  const std::string code = " (" + status_text(st) + ")";
  // With no port Samba first asks the endpoint mapper (anonymously, on port 135): its failures are
  // about that mapper, not about the server's own port.
  if (options.transport == Transport::tcp && !options.port) {
    const std::string epm = "the endpoint mapper at " + options.host + " port 135";
    const std::string hint = "; give the server's port instead";
    if (is(st, NT_STATUS_CONNECTION_REFUSED))
      throw Error(EXMAPI_E_TRANSPORT, "cannot find " + where + ": " + epm +
                                          " refused the connection (no endpoint mapper runs there" + hint + ")" + code);
    if (is(st, NT_STATUS_IO_TIMEOUT))
      throw Error(EXMAPI_E_TIMEOUT, "cannot find " + where + ": no answer in time from " + epm +
                                        " (dead server or filtered port" + hint + ")" + code);
    if (is(st, NT_STATUS_PORT_UNREACHABLE))
      throw Error(EXMAPI_E_PROTOCOL, "cannot find " + where + ": " + epm + " knows no ncacn_ip_tcp endpoint of " +
                                         std::string(iface.name) + " " + uuid + " version " + iface.version_string() +
                                         " (interface not registered there)" + code);
  }
  if (is(st, NT_STATUS_CONNECTION_REFUSED))
    throw Error(EXMAPI_E_TRANSPORT, "cannot connect to " + where + ": connection refused (no server listening there)" + code);
  if (is(st, NT_STATUS_HOST_UNREACHABLE) || is(st, NT_STATUS_NETWORK_UNREACHABLE))
    throw Error(EXMAPI_E_TRANSPORT, "cannot connect to " + where + ": host or network unreachable" + code);
  if (is(st, NT_STATUS_IO_TIMEOUT))
    throw Error(EXMAPI_E_TIMEOUT, "cannot connect to " + where + ": no answer in time (dead server or filtered port?)" + code);
  if (is(st, NT_STATUS_BAD_NETWORK_NAME) || is(st, NT_STATUS_INVALID_ADDRESS) || is(st, NT_STATUS_OBJECT_NAME_NOT_FOUND) ||
      is(st, NT_STATUS_NO_MEMORY))
    throw Error(EXMAPI_E_TRANSPORT, "cannot connect to " + where + ": the host name does not resolve" + code);
  if (is(st, NT_STATUS_END_OF_FILE) || is(st, NT_STATUS_CONNECTION_RESET) || is(st, NT_STATUS_CONNECTION_DISCONNECTED) ||
      is(st, NT_STATUS_CONNECTION_ABORTED) || is(st, NT_STATUS_PIPE_BROKEN))
    throw Error(EXMAPI_E_TRANSPORT, "cannot connect to " + where + ": the server closed the connection during the bind" + code);
  if (is(st, NT_STATUS_RPC_UNSUPPORTED_NAME_SYNTAX) || is(st, NT_STATUS_RPC_INTERFACE_NOT_FOUND))
    throw Error(EXMAPI_E_PROTOCOL, "cannot bind to " + where + ": the server does not offer interface " +
                                       std::string(iface.name) + " " + uuid + " version " + iface.version_string() +
                                       " (unknown interface or version)" + code);
  if (is(st, NT_STATUS_LOGON_FAILURE) || is(st, NT_STATUS_WRONG_PASSWORD) || is(st, NT_STATUS_NO_SUCH_USER))
    throw Error(EXMAPI_E_AUTH, "cannot bind to " + where + " (" + auth_description() +
                                   "): authentication failed (wrong user name or password?)" + code);
  // Samba turns the proxy's 401 (or 403) to its RPC_OUT_DATA into ACCESS_DENIED before any bind.
  if (is(st, NT_STATUS_ACCESS_DENIED) && options.transport == Transport::http)
    throw Error(EXMAPI_E_AUTH, "cannot connect to " + where + ": the RPC proxy refused the HTTP " +
                                   http_auth_option(options.http.auth) +
                                   " authentication (wrong user name or password?)" + code);
  if (is(st, NT_STATUS_ACCESS_DENIED))
    throw Error(EXMAPI_E_AUTH, "cannot bind to " + where + " (" + auth_description() + "): access denied" + code);
  // Measured with Samba 4.17: a proxy certificate that fails verification (unknown CA, or a name
  // other than the proxy host's) ends the TLS handshake and pipe_connect with INVALID_PARAMETER.
  // Samba verifies names only: a proxy given as an IP address always fails ("no hostname").
  if (is(st, NT_STATUS_INVALID_PARAMETER) && options.transport == Transport::http && options.http.use_tls)
    throw Error(EXMAPI_E_TRANSPORT, "cannot connect to " + where + ": the TLS handshake with the RPC proxy failed, " +
                                        "most likely its certificate verification (is it signed by a CA of the CA " +
                                        "file, and does it name the proxy host? An IP address cannot be verified)" + code);
  if (is(st, NT_STATUS_NO_LOGON_SERVERS) || is(st, NT_STATUS_RPC_SEC_PKG_ERROR) || is(st, NT_STATUS_NO_SUCH_DOMAIN) ||
      is(st, NT_STATUS_INVALID_PARAMETER) || is(st, NT_STATUS_NOT_SUPPORTED) || is(st, NT_STATUS_TIME_DIFFERENCE_AT_DC) ||
      is(st, NT_STATUS_CANT_ACCESS_DOMAIN_INFO))
    throw Error(EXMAPI_E_AUTH, "cannot bind to " + where + " (" + auth_description() +
                                   "): the security negotiation failed (Kerberos realm, KDC or SPN " +
                                   std::string(iface.service_class) + "/<host> not usable, or the server refuses " +
                                   "this authentication type)" + code);
  if (is(st, NT_STATUS_INVALID_PARAMETER_MIX))
    throw Error(EXMAPI_E_INVALID_ARGUMENT, "cannot connect to " + where +
                                               ": Samba rejected the connection options (for RPC over HTTPS: is the CA " +
                                               "file readable?)" + code);
  throw Error(EXMAPI_E_TRANSPORT, "cannot connect to " + where + code);
}

void Connection::State::fail_call(NTSTATUS st, uint16_t opnum, std::string_view method, uint32_t fault) const {
  const std::string call = std::string(method) + " (" + std::string(iface.name) + " opnum " + std::to_string(opnum) + ") on " + where;
  const std::string code = " (" + status_text(st) + ")";
  if (fault != 0) {
    std::string name;
    if (TALLOC_CTX* tmp = talloc_new(nullptr)) {
      name = dcerpc_errstr(tmp, fault);
      talloc_free(tmp);
    }
    std::string what = "server fault " + hex32(fault) + (name.empty() ? "" : " " + name);
    if (fault == DCERPC_NCA_S_OP_RNG_ERROR)
      throw Error(EXMAPI_E_PROTOCOL, call + " failed: the server does not implement this method (" + what + ")");
    if (fault == DCERPC_FAULT_ACCESS_DENIED)
      throw Error(EXMAPI_E_AUTH, call + " failed: access denied (the server may require a higher authentication level; " + what + ")");
    if (fault == DCERPC_FAULT_NDR)
      throw Error(EXMAPI_E_PROTOCOL, call + " failed: the server could not decode the request (" + what + ")");
    throw Error(EXMAPI_E_PROTOCOL, call + " failed: " + what);
  }
  // Raw NTLMSSP binds in three legs (BIND, BIND_ACK, AUTH3): the server answers nothing to AUTH3, so a
  // rejected password shows only when the first call is refused, as a protocol error.
  if (!called && options.credentials.method == AuthMethod::ntlm &&
      (is(st, NT_STATUS_RPC_PROTOCOL_ERROR) || is(st, NT_STATUS_ACCESS_DENIED) || is(st, NT_STATUS_LOGON_FAILURE)))
    throw Error(EXMAPI_E_AUTH, call + " failed: authentication failed (wrong user name or password?) for " +
                                   auth_description() + code);
  if (is(st, NT_STATUS_IO_TIMEOUT))
    throw Error(EXMAPI_E_TIMEOUT, call + " failed: no answer within " + std::to_string(options.call_timeout_seconds) + " s" + code);
  if (is(st, NT_STATUS_END_OF_FILE) || is(st, NT_STATUS_CONNECTION_RESET) || is(st, NT_STATUS_CONNECTION_DISCONNECTED) ||
      is(st, NT_STATUS_CONNECTION_ABORTED) || is(st, NT_STATUS_PIPE_BROKEN) || is(st, NT_STATUS_INVALID_CONNECTION) ||
      is(st, NT_STATUS_LOCAL_DISCONNECT) || is(st, NT_STATUS_REMOTE_DISCONNECT))
    throw Error(EXMAPI_E_TRANSPORT, call + " failed: the connection to the server is closed (server died or dropped us)" + code);
  // A PDU too short for its type, an unknown PDU, a bad fragment: Samba drops the connection.
  if (is(st, NT_STATUS_RPC_PROTOCOL_ERROR) || is(st, NT_STATUS_INVALID_NETWORK_RESPONSE) ||
      is(st, NT_STATUS_BUFFER_TOO_SMALL) || is(st, NT_STATUS_RPC_BAD_STUB_DATA) || is(st, NT_STATUS_INVALID_PARAMETER))
    throw Error(EXMAPI_E_PROTOCOL, call + " failed: the server's answer breaks the DCE/RPC protocol (malformed PDU)" + code);
  if (is(st, NT_STATUS_ACCESS_DENIED))
    throw Error(EXMAPI_E_AUTH, call + " failed: access denied" + code);
  throw Error(EXMAPI_E_TRANSPORT, call + " failed" + code);
}

Connection::Connection(const RpcInterface& iface, const ConnectOptions& options) : state_(std::make_unique<State>()) {
  init_samba_once();
  State& s = *state_;
  s.options = options;
  s.name = iface.name;
  s.uuid = iface.uuid;
  s.service_class = iface.service_class.empty() ? "host" : std::string(iface.service_class);
  s.iface = iface;
  s.iface.name = s.name;
  s.iface.uuid = s.uuid;
  s.iface.service_class = s.service_class;
  {
    std::string port = options.transport == Transport::http ? std::to_string(options.port.value_or(iface.http_port))
                       : options.port                         ? std::to_string(*options.port)
                                                              : "from its endpoint mapper";
    s.where = s.name + " at " + options.host + " port " + port +
              (options.transport == Transport::http ? " via RPC over HTTP" : "");
  }
  const std::string binding = make_binding(iface, options);

  s.mem = talloc_new(nullptr);
  if (!s.mem) throw Error(EXMAPI_E_NO_MEMORY, "talloc_new failed");
  s.ev = tevent_context_init(s.mem);
  if (!s.ev) throw Error(EXMAPI_E_NO_MEMORY, "tevent_context_init failed");
  // Kerberos: Samba's send_to_kdc runs a nested loop on this context and aborts unless allowed.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  tevent_loop_allow_nesting(s.ev);
#pragma GCC diagnostic pop

  // One loadparm per connection, with no smb.conf: the realm and TLS options are this
  // connection's, and loadparm_init_global's shared context would carry them over to other
  // connections (and other threads).
  s.lp = loadparm_init(s.mem);
  if (!s.lp) throw Error(EXMAPI_E_NO_MEMORY, "loadparm_init failed");
  auto set = [&](const std::string& option) {
    if (!lpcfg_set_option(s.lp, option.c_str()))
      throw Error(EXMAPI_E_INVALID_ARGUMENT, "Samba rejected the setting \"" + option + "\"");
  };
  // The default order tries WINS and broadcasts first: 3 s lost on every name not in DNS.
  set("name resolve order=host");
  const Credentials& c = options.credentials;
  if (!c.realm.empty()) {
    check_token("Kerberos realm", c.realm);
    set("realm=" + c.realm);
  }
  if (options.transport == Transport::http && options.http.use_tls) {
    if (!options.http.ca_file.empty()) {
      check_token("CA file", options.http.ca_file, "/+@~");
      if (access(options.http.ca_file.c_str(), R_OK) != 0)
        throw Error(EXMAPI_E_INVALID_ARGUMENT, "CA file " + options.http.ca_file + " cannot be read: " + strerror(errno));
      // Samba reads a relative "tls cafile" below its private directory, not the working one.
      std::error_code ec;
      std::string ca = std::filesystem::absolute(options.http.ca_file, ec).string();
      if (ec) throw Error(EXMAPI_E_INVALID_ARGUMENT, "CA file " + options.http.ca_file + ": " + ec.message());
      set("tls cafile=" + ca);
    }
    set(std::string("tls verify peer=") + (options.http.verify_peer ? "ca_and_name" : "no_check"));
  }

  if (c.method == AuthMethod::anonymous) {
    s.creds = cli_credentials_init_anon(s.mem);
    if (!s.creds) throw Error(EXMAPI_E_NO_MEMORY, "cli_credentials_init_anon failed");
  } else {
    if (c.user.empty())
      throw Error(EXMAPI_E_INVALID_ARGUMENT, "authenticated connection to " + s.where + " without a user name");
    s.creds = cli_credentials_init(s.mem);
    if (!s.creds) throw Error(EXMAPI_E_NO_MEMORY, "cli_credentials_init failed");
    cli_credentials_set_conf(s.creds, s.lp);
    cli_credentials_set_username(s.creds, c.user.c_str(), CRED_SPECIFIED);
    cli_credentials_set_password(s.creds, c.password.c_str(), CRED_SPECIFIED);
    if (!c.domain.empty()) cli_credentials_set_domain(s.creds, c.domain.c_str(), CRED_SPECIFIED);
    if (!c.realm.empty()) cli_credentials_set_realm(s.creds, c.realm.c_str(), CRED_SPECIFIED);
    credentials_use_kerberos k = c.method == AuthMethod::ntlm       ? CRED_USE_KERBEROS_DISABLED
                                 : c.method == AuthMethod::kerberos ? CRED_USE_KERBEROS_REQUIRED
                                                                    : CRED_USE_KERBEROS_DESIRED;
    cli_credentials_set_kerberos_state(s.creds, k, CRED_SPECIFIED);
  }

  s.table.name = s.name.c_str();
  NTSTATUS st = GUID_from_string(s.uuid.c_str(), &s.table.syntax_id.uuid);
  if (!NT_STATUS_IS_OK(st)) throw Error(EXMAPI_E_INVALID_ARGUMENT, "interface UUID \"" + s.uuid + "\" is not a UUID");
  s.table.syntax_id.if_version = uint32_t{iface.minor} << 16 | iface.major;
  // With no port in the binding Samba asks the endpoint mapper and reads .endpoints (NULL crashes).
  s.table.endpoints = &s.endpoints;
  // Any authenticated bind reads authservices->names[0] as the SPN's service class (NULL crashes).
  s.authservice_names[0] = s.service_class.c_str();
  s.table.authservices = &s.authservices;

  std::set<ino_t> before = socket_inodes();
  st = dcerpc_pipe_connect(s.mem, &s.pipe, binding.c_str(), &s.table, s.creds, s.ev, s.lp);
  if (!NT_STATUS_IS_OK(st)) {
    s.pipe = nullptr;
    s.fail_connect(st);
  }
  uint16_t port = 0;
  if (options.transport == Transport::http) {
    port = options.http.proxy.empty() ? (options.http.use_tls ? 443 : 80) : proxy_port(options);
  } else if (const char* ep = dcerpc_binding_get_string_option(s.pipe->binding, "endpoint")) {
    unsigned v = 0;
    std::from_chars(ep, ep + strlen(ep), v);
    port = static_cast<uint16_t>(v);
  }
  s.fds = set_nodelay_on_new_sockets(before, port);
  dcerpc_binding_handle_set_timeout(s.pipe->binding_handle, options.call_timeout_seconds);
}

Connection::~Connection() = default;
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;

const RpcInterface& Connection::interface() const { return state_->iface; }

AuthInfo Connection::auth_info() const {
  dcerpc_AuthType type = DCERPC_AUTH_TYPE_NONE;
  dcerpc_AuthLevel level = DCERPC_AUTH_LEVEL_NONE;
  dcerpc_binding_handle_auth_info(state_->pipe->binding_handle, &type, &level);
  return {static_cast<uint8_t>(type), static_cast<uint8_t>(level)};
}

std::string Connection::binding() const {
  TALLOC_CTX* tmp = talloc_new(nullptr);
  char* b = dcerpc_binding_string(tmp, state_->pipe->binding);
  std::string out = b ? b : "";
  talloc_free(tmp);
  return out;
}

std::vector<int> Connection::socket_fds() const { return state_->fds; }

Bytes Connection::raw_call(uint16_t opnum, ByteView request, std::string_view method) {
  State& s = *state_;
  if (!dcerpc_binding_handle_is_connected(s.pipe->binding_handle))
    throw Error(EXMAPI_E_TRANSPORT, std::string(method) + " on " + s.where + ": the connection is closed");
  TALLOC_CTX* tmp = talloc_new(s.mem);
  if (!tmp) throw Error(EXMAPI_E_NO_MEMORY, "talloc_new failed");
  uint8_t* out = nullptr;
  size_t out_length = 0;
  uint32_t out_flags = 0;
  s.pipe->last_fault_code = 0;
  NTSTATUS st = dcerpc_binding_handle_raw_call(s.pipe->binding_handle, nullptr, opnum, 0, request.data(), request.size(),
                                               tmp, &out, &out_length, &out_flags);
  if (!NT_STATUS_IS_OK(st)) {
    talloc_free(tmp);
    uint32_t fault = s.pipe->last_fault_code;
    s.fail_call(st, opnum, method, fault);
  }
  s.called = true;
  Bytes response(out, out + out_length);
  talloc_free(tmp);
  return response;
}

namespace detail {
void check_interface(const Connection& c, const RpcInterface& wanted, std::string_view method) {
  const RpcInterface& have = c.interface();
  auto lower = [](char ch) { return static_cast<char>(std::tolower(static_cast<unsigned char>(ch))); };
  if (!std::ranges::equal(have.uuid, wanted.uuid, {}, lower, lower))
    throw Error(EXMAPI_E_INVALID_ARGUMENT, std::string(method) + " is a " + std::string(wanted.name) +
                                               " method, but this connection is bound to " + std::string(have.name));
}
}  // namespace detail

void throw_mapi_result(std::string_view method, uint32_t result) {
  const char* name = status_name(result);
  throw Error(result, std::string(method) + " failed: the server returned " + (name ? std::string(name) + " " : "") +
                          "(" + hex32(result) + ")");
}

}  // namespace exmapi::rpc
