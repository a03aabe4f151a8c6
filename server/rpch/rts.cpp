#include "server/rpch/rts.hpp"

#include <cstdio>
#include <tuple>

#include "base/error.hpp"

namespace exmapi::server::rpch {

namespace {

constexpr uint8_t kPfcFirstLast = 0x03;
constexpr uint8_t kDrepLittleEndianAscii = 0x10;
constexpr uint32_t kAddressIpv4 = 0, kAddressIpv6 = 1;
constexpr size_t kClientAddressPadding = 12;

Cookie read_cookie(ByteReader& r, std::string_view field) {
  Cookie c;
  ByteView v = r.bytes(c.size(), field);
  std::copy(v.begin(), v.end(), c.begin());
  return c;
}

RtsCommand read_command(ByteReader& r) {
  uint32_t type = r.u32("CommandType");
  switch (type) {
    case 0: return ReceiveWindowSize{r.u32("ReceiveWindowSize")};
    case 1: {
      FlowControlAck a;
      a.bytes_received = r.u32("FlowControlAck.BytesReceived");
      a.available_window = r.u32("FlowControlAck.AvailableWindow");
      a.channel_cookie = read_cookie(r, "FlowControlAck.ChannelCookie");
      return a;
    }
    case 2: return ConnectionTimeout{r.u32("ConnectionTimeout")};
    case 3: return CookieCommand{read_cookie(r, "Cookie")};
    case 4: return ChannelLifetime{r.u32("ChannelLifetime")};
    case 5: return ClientKeepalive{r.u32("ClientKeepalive")};
    case 6: return Version{r.u32("Version")};
    case 7: return Empty{};
    case 8: {
      uint32_t n = r.u32("Padding.ConformanceCount");
      r.skip(n, "Padding.Padding");
      return Padding{n};
    }
    case 9: return NegativeAnce{};
    case 10: return Ance{};
    case 11: {
      uint32_t kind = r.u32("ClientAddress.AddressType");
      size_t n = kind == kAddressIpv4 ? 4 : kind == kAddressIpv6 ? 16 : 0;
      if (n == 0) r.fail("ClientAddress.AddressType", "unknown address type " + std::to_string(kind));
      ByteView a = r.bytes(n, "ClientAddress.ClientAddress");
      r.skip(kClientAddressPadding, "ClientAddress.Padding");
      return ClientAddress{{a.begin(), a.end()}};
    }
    case 12: return AssociationGroupId{read_cookie(r, "AssociationGroupId")};
    case 13: return Destination{r.u32("Destination")};
    case 14: return PingTrafficSentNotify{r.u32("PingTrafficSentNotify")};
    default: r.fail("CommandType", "unknown RTS command type " + std::to_string(type));
  }
}

struct CommandWriter {
  ByteWriter& w;
  void operator()(const ReceiveWindowSize& c) { w.u32(0), w.u32(c.value); }
  void operator()(const FlowControlAck& c) {
    w.u32(1), w.u32(c.bytes_received), w.u32(c.available_window);
    w.bytes(ByteView(c.channel_cookie.data(), c.channel_cookie.size()));
  }
  void operator()(const ConnectionTimeout& c) { w.u32(2), w.u32(c.value); }
  void operator()(const CookieCommand& c) { w.u32(3), w.bytes(ByteView(c.value.data(), c.value.size())); }
  void operator()(const ChannelLifetime& c) { w.u32(4), w.u32(c.value); }
  void operator()(const ClientKeepalive& c) { w.u32(5), w.u32(c.value); }
  void operator()(const Version& c) { w.u32(6), w.u32(c.value); }
  void operator()(const Empty&) { w.u32(7); }
  void operator()(const Padding& c) { w.u32(8), w.u32(c.count), w.zeros(c.count); }
  void operator()(const NegativeAnce&) { w.u32(9); }
  void operator()(const Ance&) { w.u32(10); }
  void operator()(const ClientAddress& c) {
    if (c.address.size() != 4 && c.address.size() != 16)
      throw EncodeError("ClientAddress", "an address has 4 or 16 bytes, not " + std::to_string(c.address.size()));
    w.u32(11), w.u32(c.address.size() == 4 ? kAddressIpv4 : kAddressIpv6);
    w.bytes(ByteView(c.address.data(), c.address.size()));
    w.zeros(kClientAddressPadding);
  }
  void operator()(const AssociationGroupId& c) { w.u32(12), w.bytes(ByteView(c.value.data(), c.value.size())); }
  void operator()(const Destination& c) { w.u32(13), w.u32(c.value); }
  void operator()(const PingTrafficSentNotify& c) { w.u32(14), w.u32(c.value); }
};

const char* command_name(const RtsCommand& c) {
  static constexpr const char* kNames[] = {"ReceiveWindowSize", "FlowControlAck", "ConnectionTimeout", "Cookie",
                                           "ChannelLifetime",   "ClientKeepalive", "Version",          "Empty",
                                           "Padding",           "NegativeANCE",    "ANCE",             "ClientAddress",
                                           "AssociationGroupId", "Destination",    "PingTrafficSentNotify"};
  return kNames[c.index()];
}

std::string hex_cookie(const Cookie& c) {
  std::string s;
  char b[3];
  for (uint8_t x : c) std::snprintf(b, sizeof b, "%02x", x), s += b;
  return s;
}

// The command at `index`, which must be of type T (MS-RPCH 2.2.4 fixes each PDU's commands).
template <class T>
const T& command_at(const RtsPdu& pdu, size_t index, const char* pdu_name, const char* role) {
  const T* c = index < pdu.commands.size() ? std::get_if<T>(&pdu.commands[index]) : nullptr;
  if (c == nullptr)
    throw DecodeError(kRtsHeaderSize, std::string(pdu_name) + "." + role,
                      "command " + std::to_string(index) + " is " +
                          (index < pdu.commands.size() ? command_name(pdu.commands[index]) : "missing") +
                          ", not the one MS-RPCH 2.2.4 requires");
  return *c;
}

void expect_count(const RtsPdu& pdu, size_t n, const char* pdu_name) {
  if (pdu.commands.size() != n)
    throw DecodeError(kRtsHeaderSize - 2, std::string(pdu_name) + ".NumberOfCommands",
                      "has " + std::to_string(pdu.commands.size()) + " commands, MS-RPCH 2.2.4 requires " +
                          std::to_string(n));
}

}  // namespace

std::optional<size_t> announced_pdu_length(ByteView prefix) {
  if (prefix.size() < 10) return std::nullopt;
  ByteReader r(prefix);
  r.skip(8, "header");
  uint16_t frag_length = r.u16("frag_length");
  if (frag_length < kCommonHeaderSize)
    throw DecodeError(8, "frag_length", "a PDU of " + std::to_string(frag_length) + " bytes is shorter than its header");
  return frag_length;
}

uint8_t pdu_type(ByteView pdu) {
  ByteReader r(pdu);
  r.skip(2, "rpc_vers");
  return r.u8("PTYPE");
}

RtsPdu decode_rts(ByteView pdu) {
  ByteReader r(pdu);
  return in_field("RTS", [&] {
    uint8_t vers = r.u8("rpc_vers"), minor = r.u8("rpc_vers_minor");
    if (vers != 5 || minor != 0) r.fail("rpc_vers", "version " + std::to_string(vers) + "." + std::to_string(minor) + ", not 5.0");
    uint8_t type = r.u8("PTYPE");
    if (type != kPtypeRts) r.fail("PTYPE", "type " + std::to_string(type) + " is not RTS (20)");
    uint8_t pfc = r.u8("pfc_flags");
    if (pfc != kPfcFirstLast) r.fail("pfc_flags", "an RTS PDU is one whole fragment (0x03), not " + std::to_string(pfc));
    uint8_t drep = r.u8("packed_drep");
    if (drep != kDrepLittleEndianAscii) r.fail("packed_drep", "RTS PDUs are little-endian ASCII (0x10)");
    // The other three: IEEE floating point (0) and two reserved bytes (0), as encode_rts writes them.
    for (int i = 0; i < 3; ++i)
      if (r.u8("packed_drep") != 0) r.fail("packed_drep", "RTS PDUs carry 10 00 00 00 (IEEE floats, reserved zero)");
    uint16_t frag_length = r.u16("frag_length");
    if (frag_length != pdu.size())
      r.fail("frag_length", "announces " + std::to_string(frag_length) + " bytes, the PDU has " + std::to_string(pdu.size()));
    if (r.u16("auth_length") != 0) r.fail("auth_length", "RTS PDUs carry no authentication");
    if (r.u32("call_id") != 0) r.fail("call_id", "RTS PDUs have call_id 0");
    RtsPdu out;
    out.flags = r.u16("Flags");
    uint16_t n = r.u16("NumberOfCommands");
    r.count(n, 4, "NumberOfCommands");
    out.commands.reserve(n);
    for (uint16_t i = 0; i < n; ++i)
      out.commands.push_back(in_field("Commands[" + std::to_string(i) + "]", [&] { return read_command(r); }));
    r.expect_end("the RTS PDU");
    return out;
  });
}

Bytes encode_rts(const RtsPdu& pdu) {
  if (pdu.commands.size() > 0xFFFF) throw EncodeError("RTS.NumberOfCommands", "more than 65535 commands");
  ByteWriter w;
  w.u8(5), w.u8(0), w.u8(kPtypeRts), w.u8(kPfcFirstLast);
  w.u8(kDrepLittleEndianAscii), w.zeros(3);
  size_t length_at = w.placeholder_u16();
  w.u16(0), w.u32(0);
  w.u16(pdu.flags), w.u16(static_cast<uint16_t>(pdu.commands.size()));
  CommandWriter cw{w};
  for (const RtsCommand& c : pdu.commands) std::visit(cw, c);
  if (w.size() > 0xFFFF) throw EncodeError("RTS.frag_length", "the PDU exceeds 65535 bytes");
  w.patch_u16(length_at, static_cast<uint16_t>(w.size()));
  return w.take();
}

std::string describe(const RtsPdu& pdu) {
  std::string s = "RTS flags 0x" + [&] {
    char b[8];
    std::snprintf(b, sizeof b, "%04x", pdu.flags);
    return std::string(b);
  }() + ":";
  for (const RtsCommand& c : pdu.commands) {
    s += std::string(" ") + command_name(c);
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (requires { v.value; }) {
            if constexpr (std::is_same_v<std::decay_t<decltype(v.value)>, Cookie>) s += "=" + hex_cookie(v.value);
            else s += "=" + std::to_string(v.value);
          } else if constexpr (std::is_same_v<T, FlowControlAck>) {
            s += "(" + std::to_string(v.bytes_received) + "," + std::to_string(v.available_window) + ")";
          }
        },
        c);
  }
  return s;
}

ConnA1 parse_conn_a1(const RtsPdu& pdu) {
  expect_count(pdu, 4, "CONN/A1");
  ConnA1 a;
  a.version = command_at<Version>(pdu, 0, "CONN/A1", "Version").value;
  a.virtual_connection = command_at<CookieCommand>(pdu, 1, "CONN/A1", "VirtualConnectionCookie").value;
  a.out_channel = command_at<CookieCommand>(pdu, 2, "CONN/A1", "OutChannelCookie").value;
  a.receive_window = command_at<ReceiveWindowSize>(pdu, 3, "CONN/A1", "ReceiveWindowSize").value;
  return a;
}

ConnB1 parse_conn_b1(const RtsPdu& pdu) {
  expect_count(pdu, 6, "CONN/B1");
  ConnB1 b;
  b.version = command_at<Version>(pdu, 0, "CONN/B1", "Version").value;
  b.virtual_connection = command_at<CookieCommand>(pdu, 1, "CONN/B1", "VirtualConnectionCookie").value;
  b.in_channel = command_at<CookieCommand>(pdu, 2, "CONN/B1", "INChannelCookie").value;
  b.channel_lifetime = command_at<ChannelLifetime>(pdu, 3, "CONN/B1", "ChannelLifetime").value;
  b.client_keepalive = command_at<ClientKeepalive>(pdu, 4, "CONN/B1", "ClientKeepalive").value;
  b.association_group = command_at<AssociationGroupId>(pdu, 5, "CONN/B1", "AssociationGroupId").value;
  return b;
}

Bytes make_conn_a3(uint32_t connection_timeout) {
  return encode_rts({kRtsFlagNone, {ConnectionTimeout{connection_timeout}}});
}

Bytes make_conn_c2(uint32_t version, uint32_t receive_window, uint32_t connection_timeout) {
  return encode_rts({kRtsFlagNone, {Version{version}, ReceiveWindowSize{receive_window}, ConnectionTimeout{connection_timeout}}});
}

Bytes make_flow_control_ack(const FlowControlAck& ack) { return encode_rts({kRtsFlagOtherCmd, {ack}}); }

Bytes make_ping() { return encode_rts({kRtsFlagPing, {}}); }

}  // namespace exmapi::server::rpch
