// RTS PDUs of RPC over HTTP v2 (MS-RPCH 2.2.3): the control PDUs (PTYPE 20) that open a virtual
// connection, acknowledge traffic and keep channels alive. Every PDU comes from the network, so
// decoding is bounds-checked and fails with a DecodeError naming the offset and the command.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/bytes.hpp"

namespace exmapi::server::rpch {

// The common connection-oriented header (C706 12.6.1) that every PDU on a channel starts with.
inline constexpr size_t kCommonHeaderSize = 16;
inline constexpr size_t kRtsHeaderSize = 20;
inline constexpr uint8_t kPtypeRts = 20;

// RTS header Flags (MS-RPCH 2.2.3.6.1).
enum RtsFlags : uint16_t {
  kRtsFlagNone = 0x0000,
  kRtsFlagPing = 0x0001,
  kRtsFlagOtherCmd = 0x0002,
  kRtsFlagRecycleChannel = 0x0004,
  kRtsFlagInChannel = 0x0008,
  kRtsFlagOutChannel = 0x0010,
  kRtsFlagEof = 0x0020,
  kRtsFlagEcho = 0x0040,
};

using Cookie = std::array<uint8_t, 16>;  // an RTS cookie: a GUID as its 16 wire bytes

// MS-RPCH 2.2.3.4: what a receiver acknowledges.
struct FlowControlAck {
  uint32_t bytes_received = 0;
  uint32_t available_window = 0;
  Cookie channel_cookie{};
  bool operator==(const FlowControlAck&) const = default;
};

// MS-RPCH 2.2.3.5: one command, tagged by its CommandType.
struct ReceiveWindowSize { uint32_t value = 0; bool operator==(const ReceiveWindowSize&) const = default; };
struct ConnectionTimeout { uint32_t value = 0; bool operator==(const ConnectionTimeout&) const = default; };
struct CookieCommand { Cookie value{}; bool operator==(const CookieCommand&) const = default; };
struct ChannelLifetime { uint32_t value = 0; bool operator==(const ChannelLifetime&) const = default; };
struct ClientKeepalive { uint32_t value = 0; bool operator==(const ClientKeepalive&) const = default; };
struct Version { uint32_t value = 0; bool operator==(const Version&) const = default; };
struct Empty { bool operator==(const Empty&) const = default; };
struct Padding { uint32_t count = 0; bool operator==(const Padding&) const = default; };
struct NegativeAnce { bool operator==(const NegativeAnce&) const = default; };
struct Ance { bool operator==(const Ance&) const = default; };
struct ClientAddress {
  std::vector<uint8_t> address;  // 4 bytes (IPv4) or 16 (IPv6)
  bool operator==(const ClientAddress&) const = default;
};
struct AssociationGroupId { Cookie value{}; bool operator==(const AssociationGroupId&) const = default; };
struct Destination { uint32_t value = 0; bool operator==(const Destination&) const = default; };
struct PingTrafficSentNotify { uint32_t value = 0; bool operator==(const PingTrafficSentNotify&) const = default; };

using RtsCommand = std::variant<ReceiveWindowSize, FlowControlAck, ConnectionTimeout, CookieCommand, ChannelLifetime,
                                ClientKeepalive, Version, Empty, Padding, NegativeAnce, Ance, ClientAddress,
                                AssociationGroupId, Destination, PingTrafficSentNotify>;

struct RtsPdu {
  uint16_t flags = kRtsFlagNone;
  std::vector<RtsCommand> commands;
  bool operator==(const RtsPdu&) const = default;
};

// The length a PDU announces in its common header (frag_length), once 10 bytes are there; nullopt
// before. Throws DecodeError when the header cannot start a PDU (shorter than the header itself).
std::optional<size_t> announced_pdu_length(ByteView prefix);
// The PTYPE of a PDU whose common header is complete.
uint8_t pdu_type(ByteView pdu);

// Decodes one whole RTS PDU (header and commands, exactly frag_length bytes).
RtsPdu decode_rts(ByteView pdu);
Bytes encode_rts(const RtsPdu& pdu);

// A readable summary for logs and error messages ("CONN/A1-like: Version 1, Cookie ..., ...").
std::string describe(const RtsPdu& pdu);

// MS-RPCH 2.2.4 PDUs this proxy receives or sends.
struct ConnA1 {  // client → outbound proxy (2.2.4.2)
  uint32_t version;
  Cookie virtual_connection, out_channel;
  uint32_t receive_window;
};
struct ConnB1 {  // client → inbound proxy (2.2.4.5)
  uint32_t version;
  Cookie virtual_connection, in_channel;
  uint32_t channel_lifetime, client_keepalive;
  Cookie association_group;
};
ConnA1 parse_conn_a1(const RtsPdu& pdu);
ConnB1 parse_conn_b1(const RtsPdu& pdu);
Bytes make_conn_a3(uint32_t connection_timeout);                                         // 2.2.4.4
Bytes make_conn_c2(uint32_t version, uint32_t receive_window, uint32_t connection_timeout);  // 2.2.4.9
Bytes make_flow_control_ack(const FlowControlAck& ack);                                  // 2.2.4.50
Bytes make_ping();                                                                       // 2.2.4.49

}  // namespace exmapi::server::rpch
