// The DCE/RPC client transport: one authenticated pipe to one interface (EMSMDB, AsyncEMSMDB, NSPI or
// RFR) over Samba's PUBLIC client libraries (libdcerpc, samba-credentials, samba-hostconfig). Samba
// frames, fragments, signs and seals; the stub bytes are ours (src/ndr), sent with
// dcerpc_binding_handle_raw_call. No Samba type appears here, so only src/rpc/*.cpp needs Samba's headers.
//
// A Connection is used by one thread at a time (its talloc/tevent state is its own); different
// connections may run in parallel.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "ndr/ndr_methods.hpp"

namespace exmapi::rpc {

// An RPC interface as its bind names it: UUID and version (shared/protocol/rpc_interfaces.tsv).
struct RpcInterface {
  std::string_view name;
  std::string_view uuid;
  uint16_t major = 0, minor = 0;
  // The Kerberos service class of the server's SPN (<class>/<target_hostname>).
  std::string_view service_class;
  // The well-known ncacn_http endpoint (RPC server port behind the proxy), 0 when none is known.
  uint16_t http_port = 0;
  std::string version_string() const { return std::to_string(major) + "." + std::to_string(minor); }
};

// MS-OXCRPC 1.9 (EMSMDB, endpoint 6001 over HTTP), 3.3 (AsyncEMSMDB), MS-OXNSPI 1.9/2.1 (NSPI 56.0,
// endpoint 6004 over HTTP), MS-OXABREF (RFR 1.0). SPN classes: Exchange registers exchangeMDB for the
// store and exchangeAB for the address book and its referral service.
inline constexpr RpcInterface kEmsmdb{"EMSMDB", "a4f1db00-ca47-1067-b31f-00dd010662da", 0, 81, "exchangeMDB", 6001};
inline constexpr RpcInterface kAsyncEmsmdb{"AsyncEMSMDB", "5261574a-4572-206e-b268-6b199213b4e4", 0, 1, "exchangeMDB", 6001};
inline constexpr RpcInterface kNspi{"NSPI", "f5cc5a18-4264-101a-8c59-08002b2f8426", 56, 0, "exchangeAB", 6004};
inline constexpr RpcInterface kRfr{"RFR", "1544f5e0-613c-11d1-93df-00c04fd7bd09", 1, 0, "exchangeAB", 0};

enum class Transport { tcp, http };
enum class AuthMethod {
  anonymous,  // no authentication: the bind is unauthenticated whatever the level says
  ntlm,       // raw NTLMSSP (auth type 10)
  kerberos,   // raw Kerberos (auth type 16); needs realm and usually target_hostname
  negotiate,  // SPNEGO (auth type 9): Kerberos when it can, else NTLM
};
enum class AuthLevel { connect, sign, seal };
enum class HttpAuth { basic, ntlm, negotiate };

struct Credentials {
  AuthMethod method = AuthMethod::anonymous;
  std::string user, password, domain;
  std::string realm;  // Kerberos realm (EXAMPLE.ORG)
};

// ncacn_http (MS-RPCH): RPC over HTTP through an RPC proxy.
struct HttpOptions {
  std::string proxy;   // host or host:port; empty means the RPC server host itself
  bool use_tls = true;
  std::string ca_file;  // PEM file of trusted CAs for the proxy's certificate ("tls cafile")
  bool verify_peer = true;
  HttpAuth auth = HttpAuth::ntlm;
};

struct ConnectOptions {
  std::string host;  // DNS name or IP address of the RPC server
  // ncacn_ip_tcp: the server's port, or none to ask its endpoint mapper (port 135).
  // ncacn_http: the RPC server port behind the proxy; none takes the interface's well-known one.
  std::optional<uint16_t> port;
  Transport transport = Transport::tcp;
  HttpOptions http;
  Credentials credentials;
  AuthLevel level = AuthLevel::seal;  // Outlook seals; so do we unless told otherwise
  std::string target_hostname;        // the SPN host when connecting by address (Kerberos)
  uint32_t call_timeout_seconds = 60;
};

// What the bind negotiated.
struct AuthInfo {
  uint8_t auth_type = 0;   // DCE auth type: 0 none, 9 SPNEGO, 10 NTLM, 16 Kerberos
  uint8_t auth_level = 0;  // 1 none, 2 connect, 5 integrity (sign), 6 privacy (seal)
};

class Connection {
 public:
  // Connects and binds; throws Error (EXMAPI_E_TRANSPORT, _AUTH, _TIMEOUT, _PROTOCOL or
  // _INVALID_ARGUMENT) with a message naming the cause.
  Connection(const RpcInterface& iface, const ConnectOptions& options);
  ~Connection();
  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // One call: the request stub out, the response stub back (it may end with 0-3 alignment pad
  // bytes when signed or sealed). `method` names the call in error messages.
  Bytes raw_call(uint16_t opnum, ByteView request, std::string_view method);

  const RpcInterface& interface() const;
  AuthInfo auth_info() const;
  // The binding the pipe ended up with, as Samba prints it (includes the endpoint the EPM gave).
  std::string binding() const;
  // The socket file descriptors this connection owns (for tests and diagnostics).
  std::vector<int> socket_fds() const;

  struct State;

 private:
  std::unique_ptr<State> state_;
};

// ---- typed calls on our NDR ----------------------------------------------------------------------
namespace detail {
template <class T, class Tuple>
struct in_tuple;
template <class T, class... U>
struct in_tuple<T, std::tuple<U...>> : std::bool_constant<(std::is_same_v<T, U> || ...)> {};

template <class Method>
constexpr const RpcInterface& interface_of() {
  if constexpr (std::is_same_v<Method, ndr::emsmdb::EcDoAsyncWaitEx>) return kAsyncEmsmdb;
  else if constexpr (in_tuple<Method, ndr::EmsmdbMethods>::value) return kEmsmdb;
  else if constexpr (in_tuple<Method, ndr::NspiMethods>::value) return kNspi;
  else {
    static_assert(in_tuple<Method, ndr::RfrMethods>::value, "not an NDR method of ndr_methods.hpp");
    return kRfr;
  }
}
void check_interface(const Connection& c, const RpcInterface& wanted, std::string_view method);
}  // namespace detail

// Encodes the request with our NDR Encoder, calls the method's opnum, decodes the response with our
// Decoder (which accepts trailing alignment padding and nothing more).
template <class Method>
typename Method::Response call(Connection& c, const typename Method::Request& request) {
  detail::check_interface(c, detail::interface_of<Method>(), Method::Request::kName);
  Bytes out = c.raw_call(Method::kOpnum, ndr::encode_stub(request), Method::Request::kName);
  return ndr::decode_stub<typename Method::Response>(out);
}

// A MAPI error code returned by a method (its ReturnValue) as an exception: status is the code itself.
[[noreturn]] void throw_mapi_result(std::string_view method, uint32_t result);
// Throws when `result` is an error (severity bit set); warnings such as ErrorsReturned pass.
inline void check_result(std::string_view method, uint32_t result) {
  if (result & 0x80000000u) throw_mapi_result(method, result);
}

}  // namespace exmapi::rpc
