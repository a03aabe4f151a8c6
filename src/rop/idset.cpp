#include "rop/idset.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "rop/entry_id.hpp"
#include "rop/property_value.hpp"

namespace exmapi::rop {

namespace {

constexpr size_t kGlobcntSize = 6;

// The common byte stack of 3.1.5.4.3: the bytes and the size of each Push, so Pop undoes one Push.
class CommonByteStack {
 public:
  size_t size() const noexcept { return bytes_.size(); }
  bool empty() const noexcept { return bytes_.empty(); }
  void push(ByteView b) {
    bytes_.insert(bytes_.end(), b.begin(), b.end());
    pushes_.push_back(b.size());
  }
  void pop() {
    bytes_.resize(bytes_.size() - pushes_.back());
    pushes_.pop_back();
  }
  // The GLOBCNT made of the stack and `low_order` (6 - size() bytes), high-order byte first.
  uint64_t globcnt(ByteView low_order) const {
    uint64_t v = 0;
    for (uint8_t b : bytes_) v = v << 8 | b;
    for (uint8_t b : low_order) v = v << 8 | b;
    return v;
  }

 private:
  Bytes bytes_;
  std::vector<size_t> pushes_;
};

std::array<uint8_t, kGlobcntSize> globcnt_bytes(uint64_t v) {
  std::array<uint8_t, kGlobcntSize> b{};
  for (size_t i = 0; i < kGlobcntSize; ++i) b[kGlobcntSize - 1 - i] = static_cast<uint8_t>(v >> (8 * i));
  return b;
}

template <class Pair, class ReadKey>
std::vector<Pair> decode_idset(ByteView bytes, ReadKey&& read_key) {
  ByteReader r(bytes);
  std::vector<Pair> out;
  while (!r.empty()) {
    Pair p;
    size_t index = out.size();
    in_field("IDSET[" + std::to_string(index) + "]", [&] {
      read_key(r, p);
      p.globset = in_field("GLOBSET", [&] { return decode_globset(r); });
    });
    out.push_back(std::move(p));
  }
  return out;
}

template <class Pair, class WriteKey>
Bytes encode_idset_sorted(std::span<const Pair> idset, WriteKey&& write_key) {
  std::vector<const Pair*> sorted;
  for (const Pair& p : idset) sorted.push_back(&p);
  auto key_less = [](const Pair* a, const Pair* b) {
    if constexpr (requires { a->replid; })
      return a->replid < b->replid;
    else
      return a->replguid.bytes < b->replguid.bytes;
  };
  std::sort(sorted.begin(), sorted.end(), key_less);
  ByteWriter w;
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i && !key_less(sorted[i - 1], sorted[i])) throw EncodeError("IDSET", "the same replica appears twice");
    write_key(w, *sorted[i]);
    encode_globset(w, sorted[i]->globset);
  }
  return w.take();
}

}  // namespace

Globset normalize_globset(Globset ranges) {
  std::sort(ranges.begin(), ranges.end(), [](const GlobcntRange& a, const GlobcntRange& b) { return a.low < b.low; });
  Globset out;
  for (const GlobcntRange& g : ranges) {
    if (!out.empty() && g.low <= out.back().high + 1)
      out.back().high = std::max(out.back().high, g.high);
    else
      out.push_back(g);
  }
  return out;
}

Globset decode_globset(ByteReader& r) {
  CommonByteStack stack;
  Globset ranges;
  while (true) {
    size_t at = r.offset();
    uint8_t command = r.u8("Command");
    if (command >= 0x01 && command <= 0x06) {
      if (stack.size() + command > kGlobcntSize)
        throw DecodeError(at, "Push", "pushing " + std::to_string(command) + " bytes onto " +
                                          std::to_string(stack.size()) + " exceeds a GLOBCNT");
      stack.push(r.bytes(command, "CommonBytes"));
      if (stack.size() == kGlobcntSize) {
        uint64_t v = stack.globcnt({});
        ranges.push_back({v, v});
        stack.pop();
      }
    } else if (command == globset_command::Pop) {
      if (stack.empty()) throw DecodeError(at, "Pop", "the common byte stack is empty");
      stack.pop();
    } else if (command == globset_command::Bitmask) {
      if (stack.size() != kGlobcntSize - 1)
        throw DecodeError(at, "Bitmask", "needs 5 bytes on the common byte stack, there are " +
                                             std::to_string(stack.size()));
      uint8_t start = r.u8("StartingValue");
      uint8_t mask = r.u8("Bitmask");
      uint64_t base = stack.globcnt(std::array<uint8_t, 1>{0});
      ranges.push_back({base + start, base + start});
      for (unsigned bit = 0; bit < 8; ++bit) {
        if (!(mask >> bit & 1)) continue;
        unsigned low = start + 1u + bit;
        if (low > 0xFF) throw DecodeError(at, "Bitmask", "bit " + std::to_string(bit) + " lies past the low-order byte");
        ranges.push_back({base + low, base + low});
      }
    } else if (command == globset_command::Range) {
      size_t n = kGlobcntSize - stack.size();
      uint64_t low = stack.globcnt(r.bytes(n, "LowValue"));
      uint64_t high = stack.globcnt(r.bytes(n, "HighValue"));
      if (low > high) throw DecodeError(at, "Range", "LowValue is above HighValue");
      ranges.push_back({low, high});
    } else if (command == globset_command::End) {
      if (!stack.empty())
        throw DecodeError(at, "End", std::to_string(stack.size()) + " bytes are still on the common byte stack");
      return normalize_globset(std::move(ranges));
    } else {
      throw DecodeError(at, "Command", "unknown GLOBSET command 0x" + detail::hex32(command).substr(8));
    }
  }
}

void encode_globset(ByteWriter& w, std::span<const GlobcntRange> ranges) {
  for (size_t i = 0; i < ranges.size(); ++i) {
    const GlobcntRange& g = ranges[i];
    if (g.low > g.high || g.high > kMaxGlobalCounter)
      throw EncodeError("GLOBSET", "range " + std::to_string(i) + " is not low <= high <= 0xFFFFFFFFFFFF");
    if (i && g.low <= ranges[i - 1].high + 1)
      throw EncodeError("GLOBSET", "range " + std::to_string(i) + " is not above and apart from the one before");
  }
  // The stack as pushed so far: its bytes and where each push began.
  std::vector<uint8_t> stack;
  std::vector<size_t> push_starts;
  for (const GlobcntRange& g : ranges) {
    auto low = globcnt_bytes(g.low), high = globcnt_bytes(g.high);
    size_t common = 0;
    while (common < kGlobcntSize && low[common] == high[common]) ++common;
    // Keep the pushes that still prefix this range; pop the others.
    while (!stack.empty() && (stack.size() > common || !std::equal(stack.begin(), stack.end(), low.begin()))) {
      w.u8(globset_command::Pop);
      stack.resize(push_starts.back());
      push_starts.pop_back();
    }
    if (common == kGlobcntSize) {
      // A singleton: pushing its last bytes completes the GLOBCNT, which the decoder pops itself.
      w.u8(static_cast<uint8_t>(kGlobcntSize - stack.size()));
      w.bytes(ByteView(low).subspan(stack.size()));
      continue;
    }
    if (common > stack.size()) {
      w.u8(static_cast<uint8_t>(common - stack.size()));
      w.bytes(ByteView(low).subspan(stack.size(), common - stack.size()));
      push_starts.push_back(stack.size());
      stack.assign(low.begin(), low.begin() + static_cast<std::ptrdiff_t>(common));
    }
    w.u8(globset_command::Range);
    w.bytes(ByteView(low).subspan(stack.size()));
    w.bytes(ByteView(high).subspan(stack.size()));
  }
  for (size_t i = 0; i < push_starts.size(); ++i) w.u8(globset_command::Pop);
  w.u8(globset_command::End);
}

std::vector<ReplidGlobset> decode_idset_replid(ByteView bytes) {
  return decode_idset<ReplidGlobset>(bytes, [](ByteReader& r, ReplidGlobset& p) { p.replid = r.u16("REPLID"); });
}

std::vector<ReplguidGlobset> decode_idset_replguid(ByteView bytes) {
  return decode_idset<ReplguidGlobset>(bytes,
                                       [](ByteReader& r, ReplguidGlobset& p) { p.replguid = Guid::read(r, "REPLGUID"); });
}

Bytes encode_idset(std::span<const ReplidGlobset> idset) {
  return encode_idset_sorted(idset, [](ByteWriter& w, const ReplidGlobset& p) { w.u16(p.replid); });
}

Bytes encode_idset(std::span<const ReplguidGlobset> idset) {
  return encode_idset_sorted(idset, [](ByteWriter& w, const ReplguidGlobset& p) { p.replguid.write(w); });
}

}  // namespace exmapi::rop
