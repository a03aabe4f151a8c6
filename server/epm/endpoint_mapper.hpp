// The endpoint mapper (interface epmapper e1af8308-5d1f-11c9-91a4-08002b14a0fa v3.0, C706 appendix O,
// MS-RPCE 2.2.1.2): tells a client that knows only a host which TCP port serves an interface. Samba's
// dcerpc_pipe_connect asks it (ept_map on port 135) when a binding names no port.
//
// Only ept_map is answered: it is all a client needs to find an endpoint, and the only method Samba's
// client calls. The other epmapper methods (insert, delete, lookup, management) fault with
// nca_s_op_rng_error, which a client treats as "not implemented".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/text.hpp"
#include "ndr/ndr.hpp"

namespace exmapi::server::epm {

inline constexpr std::string_view kEpmapperUuid = "e1af8308-5d1f-11c9-91a4-08002b14a0fa";
inline constexpr uint16_t kEpmapperMajor = 3, kEpmapperMinor = 0;
inline constexpr uint16_t kEndpointMapperPort = 135;

// ept_map statuses (C706 appendix O / MS-RPCE 2.2.1.2.5).
inline constexpr uint32_t kStatusOk = 0;
inline constexpr uint32_t kStatusNotRegistered = 0x16C9A0D6;  // ept_s_not_registered: no such entry

// The protocol tower of C706 appendix L: a count of floors, each a left-hand side (protocol
// identifier and its data) and a right-hand side (address data), every length a little-endian u16.
struct TowerFloor {
  Bytes lhs, rhs;
  friend bool operator==(const TowerFloor&, const TowerFloor&) = default;
};
std::vector<TowerFloor> decode_tower(ByteView octets);
Bytes encode_tower(const std::vector<TowerFloor>& floors);

// A tower of the ncacn_ip_tcp protocol sequence, the only one this server speaks: interface, transfer
// syntax, connection-oriented RPC, TCP port, IPv4 address.
struct TcpTower {
  Guid interface;
  uint16_t major = 0, minor = 0;
  Guid transfer_syntax;
  uint16_t transfer_major = 0, transfer_minor = 0;
  uint16_t port = 0;
  std::array<uint8_t, 4> address{};  // network order
  friend bool operator==(const TcpTower&, const TcpTower&) = default;
};
// nullopt when the tower is well formed but names another protocol sequence (ncacn_np, ncalrpc...);
// throws DecodeError when it is not a tower.
std::optional<TcpTower> parse_tcp_tower(const std::vector<TowerFloor>& floors);
std::vector<TowerFloor> tcp_tower_floors(const TcpTower& t);

// NDR 2.0, the transfer syntax every tower of ours names (8a885d04-1ceb-11c9-9fe8-08002b104860 v2).
Guid ndr20_syntax();

// ept_map (opnum 3) as epmapper's IDL states it:
//   [in, ptr] uuid_p_t object; [in, ptr] twr_p_t map_tower; [in, out] ept_lookup_handle_t *entry_handle;
//   [in, range(0,500)] unsigned32 max_towers; [out] unsigned32 *num_towers;
//   [out, ptr, size_is(max_towers), length_is(*num_towers)] twr_p_t *towers; [out] error_status_t *status
// twr_t is the conformant structure { unsigned32 tower_length; [size_is(tower_length)] byte octets[]; }.
struct EptMap {
  static constexpr uint16_t kOpnum = 3;
  static constexpr uint32_t kMaxTowers = 500;
  struct Request {
    static constexpr std::string_view kName = "ept_map";
    std::optional<Guid> object;
    std::optional<Bytes> map_tower;  // the tower's octets
    ndr::ContextHandle entry_handle;
    uint32_t max_towers = 0;
    template <class A>
    void describe(A& a) {
      a.param_unique("object", object, [](auto& a, Guid& g) { a.guid("object", g); });
      a.param_unique("map_tower", map_tower, [](auto& a, Bytes& t) { describe_twr(a, "map_tower", t); });
      a.context_handle("entry_handle", entry_handle);
      a.ranged_u32("max_towers", max_towers, kMaxTowers);
    }
  };
  struct Response {
    static constexpr std::string_view kName = "ept_map";
    ndr::ContextHandle entry_handle;
    uint32_t max_towers = 0;  // the request's, the array's size_is
    std::vector<std::optional<Bytes>> towers;
    uint32_t status = 0;
    template <class A>
    void describe(A& a) {
      a.context_handle("entry_handle", entry_handle);
      size_t n = a.count32("num_towers", towers.size(), kMaxTowers);
      a.param("towers", [&](auto& a) {
        max_towers = a.conformance("towers", max_towers);
        if (n > max_towers) a.fail("towers", "more towers than max_towers");
        a.variance("towers", n);
        a.elements("towers", towers, n, 4, [](auto& a, std::optional<Bytes>& t) {
          a.unique("towers", t, [](auto& a, Bytes& t) { describe_twr(a, "towers", t); });
        });
      });
      a.u32("status", status);
    }
  };
  template <class A>
  static void describe_twr(A& a, std::string_view name, Bytes& octets) {
    uint32_t max = a.conformance(name, octets.size());
    size_t n = a.count32(name, octets.size(), 0xFFFF);
    a.same_size(name, max, n);
    a.byte_elements(name, octets, n);
  }
};

// An interface this server serves, and where.
struct Registration {
  Guid interface;
  uint16_t major = 0, minor = 0;
  std::array<uint8_t, 4> address{};  // network order; 0.0.0.0 for every address
  uint16_t port = 0;
};

class EndpointMapper {
 public:
  // `uuid` in text form; `address` an IPv4 literal.
  void add(std::string_view uuid, uint16_t major, uint16_t minor, const std::string& address, uint16_t port);
  // One epmapper call: the request stub in, the response stub out. Throws RpcFault for another opnum
  // or an undecodable stub.
  Bytes call(uint16_t opnum, ByteView request_stub) const;
  // ept_map's answer to one request (exposed for tests).
  EptMap::Response map(const EptMap::Request& request) const;

 private:
  std::vector<Registration> registrations_;
};

}  // namespace exmapi::server::epm
