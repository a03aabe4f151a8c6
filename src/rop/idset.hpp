// IDSET and GLOBSET serialization (MS-OXCFXICS 2.2.2.4-2.2.2.6, 3.1.5.4).
//
// An IDSET is a sequence of (REPLID or REPLGUID, GLOBSET) pairs filling its whole buffer; nothing in
// the bytes says which of the two forms it is, so the caller picks it from the property it came in
// (3.1.5.4.2: MetaTagIdsetDeleted/NoLongerInScope/Expired/Read/Unread are REPLID-based, the ICS state
// properties MetaTagIdsetGiven and MetaTagCnset* REPLGUID-based).
//
// A GLOBSET is a command stream over a stack of common high-order bytes of 6-byte GLOBCNTs:
//   Push 0x01-0x06 n bytes   pushes n bytes; reaching 6 bytes adds that single GLOBCNT and pops them
//   Pop 0x50                 pops the bytes of the last Push
//   Bitmask 0x42 start mask  with 5 bytes on the stack: adds start and start+1+i for each set bit i
//   Range 0x52 low high      adds [stack+low, stack+high], low and high (6 - stack) bytes each
//   End 0x00                 ends the GLOBSET; the stack is then empty
// GLOBCNT bytes are high-order first (a GLOBCNT is the big-endian 48-bit counter of an ID).
//
// Decoding returns the set as sorted, disjoint, non-adjacent ranges (the commands may list values in
// any grouping; the set is what they mean). Encoding takes such a canonical range list and emits
// Push/Range/Pop commands sharing high-order bytes between neighbouring ranges.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/bytes.hpp"
#include "base/text.hpp"

namespace exmapi::rop {

struct GlobcntRange {
  uint64_t low = 0, high = 0;  // inclusive, each at most kMaxGlobalCounter
  friend bool operator==(const GlobcntRange&, const GlobcntRange&) = default;
};
using Globset = std::vector<GlobcntRange>;

namespace globset_command {
constexpr uint8_t End = 0x00, Bitmask = 0x42, Pop = 0x50, Range = 0x52;  // Push is 0x01..0x06
}

// Reads one GLOBSET up to and including its End command.
Globset decode_globset(ByteReader& r);
// Writes `ranges` (sorted, disjoint, non-adjacent, low <= high <= 0xFFFFFFFFFFFF; EncodeError
// otherwise) followed by End.
void encode_globset(ByteWriter& w, std::span<const GlobcntRange> ranges);
// Sorts and merges overlapping or adjacent ranges into the canonical form.
Globset normalize_globset(Globset ranges);

struct ReplidGlobset {
  uint16_t replid = 0;
  Globset globset;
  friend bool operator==(const ReplidGlobset&, const ReplidGlobset&) = default;
};
struct ReplguidGlobset {
  Guid replguid;
  Globset globset;
  friend bool operator==(const ReplguidGlobset&, const ReplguidGlobset&) = default;
};

// The whole of `bytes` is the IDSET; DecodeError (offset, field path) on any malformed command.
std::vector<ReplidGlobset> decode_idset_replid(ByteView bytes);
std::vector<ReplguidGlobset> decode_idset_replguid(ByteView bytes);
// Pairs are written in ascending REPLID / REPLGUID byte order (2.2.2.4.1, 2.2.2.4.2) whatever order
// they are given in; a REPLID or REPLGUID given twice is an EncodeError.
Bytes encode_idset(std::span<const ReplidGlobset> idset);
Bytes encode_idset(std::span<const ReplguidGlobset> idset);

}  // namespace exmapi::rop
