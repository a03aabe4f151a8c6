#include "server/epm/endpoint_mapper.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "base/error.hpp"
#include "server/rpc_fault.hpp"

namespace exmapi::server::epm {

namespace {

// Protocol identifiers of the tower floors (C706 appendix I).
constexpr uint8_t kProtocolUuid = 0x0D;           // an interface or transfer syntax: UUID and major version
constexpr uint8_t kProtocolNcacn = 0x0B;          // connection-oriented RPC (rhs: its minor version)
constexpr uint8_t kProtocolTcp = 0x07;            // rhs: the port, big-endian
constexpr uint8_t kProtocolIp = 0x09;             // rhs: the IPv4 address, network order
constexpr size_t kMaxFloors = 16;                 // real towers have 3 to 6
constexpr uint16_t kNcacnMinorVersion = 0;

Guid must_parse(std::string_view uuid) {
  auto g = Guid::parse(uuid);
  if (!g) throw std::invalid_argument("not a UUID: " + std::string(uuid));
  return *g;
}

TowerFloor uuid_floor(const Guid& g, uint16_t major, uint16_t minor) {
  ByteWriter lhs, rhs;
  lhs.u8(kProtocolUuid);
  g.write(lhs);
  lhs.u16(major);
  rhs.u16(minor);
  return {lhs.take(), rhs.take()};
}

void parse_uuid_floor(const TowerFloor& f, std::string_view name, Guid& g, uint16_t& major, uint16_t& minor) {
  ByteReader l(f.lhs), r(f.rhs);
  if (l.u8(name) != kProtocolUuid) l.fail(name, "is not a UUID floor (protocol identifier 0x0D)");
  g = Guid::read(l, name);
  major = l.u16(name);
  minor = r.u16(name);
  if (!l.empty() || !r.empty()) l.fail(name, "has bytes after the UUID and version");
}

bool is_protocol(const TowerFloor& f, uint8_t id) { return f.lhs.size() == 1 && f.lhs[0] == id; }

}  // namespace

Guid ndr20_syntax() { return must_parse("8a885d04-1ceb-11c9-9fe8-08002b104860"); }

std::vector<TowerFloor> decode_tower(ByteView octets) {
  ByteReader r(octets);
  uint16_t count = r.u16("floor_count");
  if (count > kMaxFloors) r.fail("floor_count", "more than " + std::to_string(kMaxFloors) + " floors");
  std::vector<TowerFloor> floors(count);
  for (size_t i = 0; i < count; ++i) {
    std::string name = "floor[" + std::to_string(i) + "]";
    ByteView lhs = r.bytes(r.u16(name + ".lhs_length"), name + ".lhs");
    if (lhs.empty()) r.fail(name + ".lhs", "has no protocol identifier");
    ByteView rhs = r.bytes(r.u16(name + ".rhs_length"), name + ".rhs");
    floors[i] = {Bytes(lhs.begin(), lhs.end()), Bytes(rhs.begin(), rhs.end())};
  }
  if (!r.empty()) r.fail("tower", "bytes after the last floor");
  return floors;
}

Bytes encode_tower(const std::vector<TowerFloor>& floors) {
  ByteWriter w;
  if (floors.size() > kMaxFloors) throw EncodeError("tower", "too many floors");
  w.u16(static_cast<uint16_t>(floors.size()));
  for (const TowerFloor& f : floors) {
    if (f.lhs.size() > 0xFFFF || f.rhs.size() > 0xFFFF) throw EncodeError("tower", "a floor side longer than 65535 bytes");
    w.u16(static_cast<uint16_t>(f.lhs.size()));
    w.bytes(f.lhs);
    w.u16(static_cast<uint16_t>(f.rhs.size()));
    w.bytes(f.rhs);
  }
  return w.take();
}

std::optional<TcpTower> parse_tcp_tower(const std::vector<TowerFloor>& floors) {
  if (floors.size() < 3) throw DecodeError(0, "tower", "fewer than 3 floors (interface, transfer syntax, protocol)");
  TcpTower t;
  parse_uuid_floor(floors[0], "floor[0] (interface)", t.interface, t.major, t.minor);
  parse_uuid_floor(floors[1], "floor[1] (transfer syntax)", t.transfer_syntax, t.transfer_major, t.transfer_minor);
  if (floors.size() != 5 || !is_protocol(floors[2], kProtocolNcacn) || !is_protocol(floors[3], kProtocolTcp) ||
      !is_protocol(floors[4], kProtocolIp))
    return std::nullopt;
  // A client's query leaves the port and address it does not know as zero bytes, or empty.
  const Bytes& port = floors[3].rhs;
  if (port.size() == 2) t.port = static_cast<uint16_t>(port[0] << 8 | port[1]);
  const Bytes& ip = floors[4].rhs;
  if (ip.size() == 4) std::copy(ip.begin(), ip.end(), t.address.begin());
  return t;
}

std::vector<TowerFloor> tcp_tower_floors(const TcpTower& t) {
  std::vector<TowerFloor> f;
  f.push_back(uuid_floor(t.interface, t.major, t.minor));
  f.push_back(uuid_floor(t.transfer_syntax, t.transfer_major, t.transfer_minor));
  ByteWriter ncacn;
  ncacn.u16(kNcacnMinorVersion);
  f.push_back({{kProtocolNcacn}, ncacn.take()});
  f.push_back({{kProtocolTcp}, {static_cast<uint8_t>(t.port >> 8), static_cast<uint8_t>(t.port)}});
  f.push_back({{kProtocolIp}, Bytes(t.address.begin(), t.address.end())});
  return f;
}

void EndpointMapper::add(std::string_view uuid, uint16_t major, uint16_t minor, const std::string& address,
                         uint16_t port) {
  Registration r;
  r.interface = must_parse(uuid);
  r.major = major;
  r.minor = minor;
  in_addr a{};
  if (inet_pton(AF_INET, address.c_str(), &a) != 1) throw std::invalid_argument(address + " is not an IPv4 address");
  std::memcpy(r.address.data(), &a, 4);
  r.port = port;
  registrations_.push_back(r);
}

EptMap::Response EndpointMapper::map(const EptMap::Request& request) const {
  EptMap::Response out;
  out.max_towers = request.max_towers;
  // Every answer fits in this one call, so the lookup context ends here: a null entry_handle.
  out.status = kStatusNotRegistered;
  if (!request.map_tower) return out;
  std::optional<TcpTower> wanted = parse_tcp_tower(decode_tower(*request.map_tower));
  // Only NDR 2.0 over ncacn_ip_tcp is served. Our entries carry the nil object UUID, which C706's
  // ept_map falls back to for any object, so the request's object does not narrow the search.
  if (!wanted || wanted->transfer_syntax != ndr20_syntax() || wanted->transfer_major != 2) return out;
  for (const Registration& r : registrations_) {
    // Compatible as C706 defines it for interfaces: same major version, a minor at least the one asked.
    if (r.interface != wanted->interface || r.major != wanted->major || r.minor < wanted->minor) continue;
    if (out.towers.size() >= request.max_towers) break;
    TcpTower t = *wanted;
    t.minor = r.minor;
    t.port = r.port;
    t.address = r.address;
    out.towers.emplace_back(encode_tower(tcp_tower_floors(t)));
  }
  if (!out.towers.empty()) out.status = kStatusOk;
  return out;
}

Bytes EndpointMapper::call(uint16_t opnum, ByteView stub) const {
  if (opnum != EptMap::kOpnum)
    throw RpcFault(kFaultOpRangeError, "the endpoint mapper answers only ept_map, not opnum " + std::to_string(opnum));
  EptMap::Request request;
  EptMap::Response response;
  try {
    request = ndr::decode_stub<EptMap::Request>(stub);
    response = map(request);
  } catch (const DecodeError& e) {
    throw RpcFault(kFaultNdr, e.what());
  }
  return ndr::encode_stub(response);
}

}  // namespace exmapi::server::epm
